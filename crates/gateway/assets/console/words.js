// Errors in words, from their extensions.code (docs/api/errors.md).
const WORDS = {
  UNAUTHENTICATED: "You are not logged in, or your session ended. Log in again.",
  FORBIDDEN: "Your role does not allow this.",
  NOT_FOUND: "That no longer exists, or you cannot see it.",
  VALIDATION: "Some of what you entered is not valid.",
  CONFLICT: "That conflicts with something that already exists.",
  RATE_LIMITED: "Too many attempts. Wait a little and try again.",
  LAST_ADMIN: "The organization must keep at least one active Admin.",
  SEAT_LIMIT_REACHED: "Every seat of the plan is taken. Change the plan to add people.",
  INVITATION_EXPIRED: "This invitation has expired.",
  INVITATION_INVALID: "This invitation link does not work any more.",
  PASSWORD_CHANGE_REQUIRED: "Choose a new password before anything else.",
  EMAIL_NOT_VERIFIED: "Confirm your email address first: use the link we sent you.",
  NETWORK: "The server could not be reached. Check your connection and try again.",
  INTERNAL: "Something went wrong on the server. Try again.",
};

export function words(error) {
  const known = WORDS[error.code];
  if (error.code === "VALIDATION" || error.code === "CONFLICT") return error.message || known;
  return known || error.message;
}
