//! The role × operation matrix (docs/api/permissions.md): every mutation of member
//! administration, invitations, workspaces and assistants, leads,
//! ownership, billing, webhook endpoints, and the organization's deletion and restore, called
//! by each role, by a non-member, a BLOCKED member and an anonymous caller,
//! against each kind of target, on a fresh organization per cell; and an
//! operation again for each argument that carries a permission of its own
//! (`permission::CARRIED`: an invitation naming workspaces, one naming
//! assistants, for each invited role). What each
//! cell must answer is derived from the permission
//! table (`expect.rs`); `contract.rs` pins that table to rules.md §2.

mod expect;
mod ops;
mod ops_billing;
mod ops_invite;
mod ops_life;
mod ops_webhooks;
mod world;

use roster_tests::{TestApp, both_backends, error_code};

use expect::{CALLERS, OK, expect};
use world::{Cast, World};

/// Walks every cell; the cells that answered otherwise than expected.
async fn walk(app: &TestApp) -> (usize, Vec<String>) {
    let cast = Cast::sign_up(app).await;
    let (mut cells, mut wrong) = (0, Vec::new());
    for op in ops::all()
        .into_iter()
        .chain(ops_billing::all())
        .chain(ops_webhooks::all())
    {
        for caller in CALLERS {
            for &target in op.targets {
                let world = World::seed(app, &cast, op.setup).await;
                let vars = (op.vars)(&cast, &world, caller, target);
                let token = cast.session(caller).map(|s| s.access.as_str());
                let res = app.gql(token, op.query, vars).await;
                let got = error_code(&res).unwrap_or_else(|| OK.to_owned());
                let want = expect(&op.shape, caller, target);
                cells += 1;
                if got != want {
                    wrong.push(format!(
                        "{} ({:?}) by {caller:?} on {target:?}: expected {want}, got {got} ({res})",
                        op.name(),
                        op.shape.rule
                    ));
                }
            }
        }
    }
    (cells, wrong)
}

both_backends! {
    async fn every_cell_answers_as_the_permission_table_says(app) {
        let (cells, wrong) = walk(&app).await;
        eprintln!("{cells} cells");
        assert!(cells > 300, "only {cells} cells");
        assert!(wrong.is_empty(), "{} of {cells} cells wrong:\n{}", wrong.len(), wrong.join("\n"));
    }
}
