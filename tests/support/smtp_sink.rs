//! A small SMTP server for end-to-end tests: it accepts every message on
//! 127.0.0.1 and keeps it for the test to read, and it can play a server
//! that is down. It speaks just enough SMTP for lettre (no TLS, no AUTH),
//! instead of an embedded mail server that would pull a TLS stack into
//! every test build.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

mod received;
pub use received::ReceivedMail;

pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<ReceivedMail>>,
    down: AtomicBool,
    refusals: AtomicUsize,
    /// Messages still to keep without answering their DATA.
    unanswered: AtomicUsize,
    /// How long to wait, message kept, before answering a DATA.
    answer_after_ms: AtomicU64,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink");
        let port = listener.local_addr().expect("sink address").port();
        let shared = Arc::new(Shared::default());
        let for_server = Arc::clone(&shared);
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, Arc::clone(&for_server)));
            }
        });
        SmtpSink {
            port,
            shared,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.messages.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages have arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        self.wait_until(&format!("{n} email(s)"), timeout, |m| m.len() >= n)
            .await
    }

    /// Waits until the messages arrived so far satisfy `done`; panics
    /// after `timeout`, naming `what` and the subjects that did arrive.
    pub async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&[ReceivedMail]) -> bool,
    ) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if done(&messages) {
                return messages;
            }
            if Instant::now() >= deadline {
                let subjects: Vec<_> = messages.iter().map(ReceivedMail::subject).collect();
                panic!(
                    "expected {what} within {timeout:?}, got {}: {subjects:?}",
                    messages.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// While down, new connections get `421` and open ones `451` on MAIL
    /// and DATA: the transient failures a sender must retry.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Keeps the next `n` messages but hangs up instead of answering their
    /// DATA with "250": the sender cannot tell that they arrived (a crash
    /// or a lost connection between the server's "250" and the sender).
    pub fn keep_without_answering(&self, n: usize) {
        self.shared.unanswered.store(n, Ordering::SeqCst);
    }

    /// Keeps each message at once but answers its DATA with "250" only
    /// after `wait`.
    pub fn answer_after(&self, wait: Duration) {
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        self.shared.answer_after_ms.store(ms, Ordering::SeqCst);
    }

    /// How many times the sink refused a sender while down.
    pub fn refusals(&self) -> usize {
        self.shared.refusals.load(Ordering::SeqCst)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One SMTP session; any I/O error just ends it.
async fn converse(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let is_down = || shared.down.load(Ordering::SeqCst);
    let refuse = || shared.refusals.fetch_add(1, Ordering::SeqCst);
    if is_down() {
        refuse();
        return writer.write_all(b"421 service not available\r\n").await;
    }
    writer
        .write_all(b"220 localhost roster test sink\r\n")
        .await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = command
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-localhost\r\n250 8BITMIME",
            "HELO" => "250 localhost",
            "MAIL" | "DATA" if is_down() => {
                refuse();
                "451 service not available"
            }
            "MAIL" => {
                (from, to) = (angle_bracketed(&command), Vec::new());
                "250 OK"
            }
            "RCPT" => {
                to.push(angle_bracketed(&command));
                "250 OK"
            }
            "DATA" => {
                writer
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let mail = ReceivedMail {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                    at: Instant::now(),
                };
                shared.messages.lock().unwrap().push(mail);
                let unanswered =
                    shared
                        .unanswered
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                if unanswered.is_ok() {
                    return Ok(());
                }
                let wait = shared.answer_after_ms.load(Ordering::SeqCst);
                if wait > 0 {
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                "250 OK queued"
            }
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                "250 OK"
            }
            "NOOP" => "250 OK",
            "QUIT" => return writer.write_all(b"221 bye\r\n").await,
            _ => "502 command not implemented",
        };
        writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// The lines up to the lone `.`, with the leading dot that the sender
/// doubled on lines starting with one taken off again.
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let (mut data, mut line) = (Vec::new(), Vec::new());
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        match line.as_slice() {
            b".\r\n" | b".\n" => return Ok(String::from_utf8_lossy(&data).into_owned()),
            [b'.', rest @ ..] => data.extend_from_slice(rest),
            whole => data.extend_from_slice(whole),
        }
    }
}

/// `MAIL FROM:<a@b> SIZE=10` → `a@b`.
fn angle_bracketed(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}
