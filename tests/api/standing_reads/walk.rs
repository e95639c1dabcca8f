//! Every path from `me`, generated from the schema's introspection: each
//! field of each object type reached is asked for on its own (one field
//! per request, so that one refused field does not hide its siblings), and
//! an object that answers is walked in turn. A field added to any type
//! reachable from `me` is walked without a change here; what a membership
//! that is not ACTIVE may show is the short list [`NAME_ONLY`].

use std::collections::HashMap;

use roster_tests::serde_json::{Value, json};
use roster_tests::{Session, TestApp, error_code};

/// The most fields a path holds below `me` (the depth limit is 12).
pub const DEEPEST: usize = 10;

/// The requests one walk may send; past it, the walk says it stopped.
const MAX_REQUESTS: usize = 3_000;

/// What a membership that is not ACTIVE shows (rules.md §10): its user's
/// own account, its own membership, the organization's id and name, and
/// the viewer's own role there; the page of its own memberships holding
/// them, and what it may do there (nothing).
const NAME_ONLY: [&str; 26] = [
    "User.id",
    "User.email",
    "User.displayName",
    "User.mustChangePassword",
    "User.emailVerified",
    "User.createdAt",
    "User.memberships",
    "User.membershipsConnection",
    "MembershipConnection.edges",
    "MembershipConnection.pageInfo",
    "MembershipConnection.totalCount",
    "PageInfo.hasNextPage",
    "PageInfo.endCursor",
    "MemberEdge.cursor",
    "MemberEdge.node",
    "Member.id",
    "Member.user",
    "Member.organization",
    "Member.role",
    "Member.status",
    "Member.isOwner",
    "Member.joinedAt",
    "Member.lastActiveAt",
    "Organization.id",
    "Organization.name",
    "Organization.viewerRole",
];

/// How a refused field may answer: nothing of the organization, not even
/// whether what was asked for exists.
const REFUSALS: [&str; 2] = ["FORBIDDEN", "NOT_FOUND"];

const INTROSPECTION: &str = "{ __schema { types { name kind enumValues { name } \
    fields(includeDeprecated: true) { name args { name defaultValue type { ...T } } type { ...T } } } } } \
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// One field of an object type, as introspection describes it.
#[derive(Clone, Debug)]
struct FieldDef {
    name: String,
    /// The named type under any list and non-null wrappers.
    type_name: String,
    /// An object (walked), or an interface or union (refused by the
    /// walk, which knows object types only).
    object: bool,
    /// The required arguments, written out (`(a: 1)`), or empty.
    args: String,
}

/// The schema's object types and their fields.
pub struct Walk {
    objects: HashMap<String, Vec<FieldDef>>,
}

/// What a walk reached: each field that answered something, and where.
#[derive(Default)]
pub struct Walked {
    /// (path, `Type.field`, value); an object's value is its `__typename`.
    reached: Vec<(String, String, Value)>,
    requests: usize,
    stopped: bool,
}

impl Walked {
    /// Every value the walk reached through `edge` (`Type.field`).
    pub fn values(&self, edge: &str) -> Vec<Value> {
        let on_edge = self.reached.iter().filter(|(_, e, _)| e == edge);
        on_edge.map(|(_, _, v)| v.clone()).collect()
    }

    /// What the walk reached that a membership that is not ACTIVE must not
    /// show, one line each.
    pub fn inside(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .reached
            .iter()
            .filter(|(_, edge, _)| !NAME_ONLY.contains(&edge.as_str()))
            .map(|(path, edge, value)| format!("{path} ({edge}) = {value}"))
            .collect();
        if self.stopped {
            lines.push(format!("the walk stopped after {} requests", self.requests));
        }
        lines
    }
}

/// The named type under `ty`'s wrappers, and its kind.
fn named(ty: &Value) -> (String, String) {
    let mut ty = ty;
    while ty["name"].is_null() {
        ty = &ty["ofType"];
    }
    let name = ty["name"].as_str().expect("type name").to_owned();
    (name, ty["kind"].as_str().expect("kind").to_owned())
}

impl Walk {
    /// The schema as `by` reads it through introspection.
    pub async fn introspect(app: &TestApp, by: &Session) -> Self {
        let data = app.ok(Some(&by.access), INTROSPECTION, json!({})).await;
        let types = data["__schema"]["types"].as_array().expect("types");
        let by_name: HashMap<&str, &Value> = types
            .iter()
            .map(|t| (t["name"].as_str().expect("name"), t))
            .collect();
        // The object types reachable from `me`'s `User`, and their fields.
        let mut objects = HashMap::new();
        let mut next = vec!["User".to_owned()];
        while let Some(name) = next.pop() {
            if objects.contains_key(&name) {
                continue;
            }
            let t = by_name[name.as_str()];
            let kind = t["kind"].as_str().expect("kind");
            assert_eq!(
                kind, "OBJECT",
                "the walk follows object types only; {name} is an {kind}"
            );
            let fields: Vec<FieldDef> = t["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| field_def(f, &by_name))
                .collect();
            next.extend(
                fields
                    .iter()
                    .filter(|f| f.object)
                    .map(|f| f.type_name.clone()),
            );
            objects.insert(name, fields);
        }
        Self { objects }
    }

    /// Walks every path from `me` of at most `deepest` fields, as
    /// `viewer`; a path never takes the same `Type.field` twice.
    pub async fn paths_from_me(&self, app: &TestApp, viewer: &Session, deepest: usize) -> Walked {
        let mut walked = Walked::default();
        // Paths whose object answered: its fields are asked for next.
        let mut pending: Vec<(Vec<(String, FieldDef)>, String)> = vec![(Vec::new(), "User".into())];
        while let Some((path, on)) = pending.pop() {
            for field in &self.objects[&on] {
                let edge = format!("{on}.{}", field.name);
                let taken = path.iter().any(|(e, _)| *e == edge);
                if taken || path.len() >= deepest {
                    continue;
                }
                if walked.requests >= MAX_REQUESTS {
                    walked.stopped = true;
                    return walked;
                }
                let mut next = path.clone();
                next.push((edge.clone(), field.clone()));
                let answered = ask(app, viewer, &next, &mut walked).await;
                let shown = path_text(&next);
                for value in &answered {
                    walked
                        .reached
                        .push((shown.clone(), edge.clone(), value.clone()));
                }
                if field.object && !answered.is_empty() {
                    pending.push((next, field.type_name.clone()));
                }
            }
        }
        walked
    }
}

fn field_def(f: &Value, types: &HashMap<&str, &Value>) -> FieldDef {
    let (type_name, kind) = named(&f["type"]);
    let required = f["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
    let args: Vec<String> = required
        .map(|a| {
            let (ty, _) = named(&a["type"]);
            format!(
                "{}: {}",
                a["name"].as_str().expect("arg name"),
                literal(&ty, types)
            )
        })
        .collect();
    FieldDef {
        name: f["name"].as_str().expect("field name").to_owned(),
        object: !matches!(kind.as_str(), "SCALAR" | "ENUM"),
        type_name,
        args: if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        },
    }
}

/// A value of type `ty` for a required argument.
fn literal(ty: &str, types: &HashMap<&str, &Value>) -> String {
    match ty {
        "ID" => "\"0190d5f6-0000-7000-8000-000000000000\"".into(),
        "String" => "\"x\"".into(),
        "Int" => "1".into(),
        "Boolean" => "true".into(),
        other => {
            let t = types[other];
            assert_eq!(
                t["kind"], "ENUM",
                "the walk has no value for a required {other}"
            );
            t["enumValues"][0]["name"]
                .as_str()
                .expect("enum value")
                .to_owned()
        }
    }
}

fn path_text(path: &[(String, FieldDef)]) -> String {
    let names: Vec<&str> = path.iter().map(|(_, f)| f.name.as_str()).collect();
    format!("me.{}", names.join("."))
}

/// Asks for the last field of `path` alone (an object's `__typename`); the
/// values it answered, lists flattened, nulls left out. A refusal answers
/// nothing; any other error fails the walk.
async fn ask(
    app: &TestApp,
    viewer: &Session,
    path: &[(String, FieldDef)],
    walked: &mut Walked,
) -> Vec<Value> {
    let last = &path.last().expect("a field").1;
    let mut query = if last.object {
        "{ __typename }".to_owned()
    } else {
        String::new()
    };
    for (_, field) in path.iter().rev() {
        query = format!("{{ {}{} {query} }}", field.name, field.args);
    }
    let query = format!("{{ me {query} }}");
    walked.requests += 1;
    let res = app.gql(Some(&viewer.access), &query, json!({})).await;
    if let Some(code) = error_code(&res) {
        assert!(REFUSALS.contains(&code.as_str()), "{query}: {res}");
    }
    let mut values = vec![res["data"]["me"].clone()];
    for (_, field) in path {
        values = values
            .iter()
            .flat_map(|v| flatten(&v[field.name.as_str()]))
            .collect();
    }
    values
        .into_iter()
        .map(|v| match v {
            Value::Object(o) => o.get("__typename").cloned().unwrap_or(Value::Null),
            leaf => leaf,
        })
        .collect()
}

/// A value's items: a list's (flattened), none for null, else itself.
fn flatten(value: &Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![other.clone()],
    }
}
