//! The deal rules, a file per job: the stages an admin sets (`stages`), the board and Today
//! (`board`), one deal's page (`sheet`), changes that never overwrite a colleague's
//! (`edits`), claim-to-reply (`claims`) and the REST records (`records`). What they share is
//! here: who may change a deal, and everyone's names.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};

use crate::auth::{Role, SessionUser};
use crate::db::entities::{deal, user};
use crate::error::AppError;

mod stages;
mod board;
mod sheet;
mod edits;
mod claims;
mod records;

pub use stages::*;
pub use board::*;
pub use sheet::*;
pub use edits::*;
pub use claims::*;
pub use records::*;

/// Everyone's name by user id, for the names lists and cards show.
pub(crate) async fn names(db: &impl ConnectionTrait) -> Result<HashMap<i64, String>, AppError> {
    // Only the two columns: the rest of a user (the password hash among it) has no business
    // in every page's lists.
    let rows: Vec<(i64, String)> = user::Entity::find().select_only().column(user::Column::Id).column(user::Column::Name).into_tuple().all(db).await?;
    Ok(rows.into_iter().collect())
}

async fn find_deal(db: &impl ConnectionTrait, id: i64) -> Result<deal::Model, AppError> {
    deal::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

/// Who makes a change: a person logged in, or an integration with an API key. Changes by a
/// key have no author on the timeline and no user in the audit history; the key's name goes
/// into the live event.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub manager: bool,
    /// For the times in a conflict message.
    pub time_zone: String,
}

impl Actor {
    pub fn person(user: &SessionUser) -> Actor {
        Actor { user_id: Some(user.id), name: user.name.clone(), manager: user.role.includes(Role::Manager), time_zone: user.time_zone.clone() }
    }

    pub fn api_key(name: &str) -> Actor {
        Actor { user_id: None, name: format!("API key \"{name}\""), manager: true, time_zone: "UTC".into() }
    }
}

/// Agents change their own deals and the unassigned ones (stage, details, follow-ups);
/// managers, admins and API keys change all. Everyone sees every deal, logs what happened on
/// it and may claim the reply.
pub fn may_edit(actor: &Actor, deal: &deal::Model) -> Result<(), AppError> {
    if actor.manager || deal.owner_id.is_none() || deal.owner_id == actor.user_id { Ok(()) } else { Err(AppError::Forbidden) }
}
