use sea_orm::entity::prelude::*;

/// One typed entry on a deal's (or contact's) timeline.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub deal_id: Option<i64>,
    pub contact_id: i64,
    pub kind: crate::deals::ActivityKind,
    pub direction: crate::deals::Direction,
    pub author_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// Where it came from outside (a chat export's message, a WhatsApp message id); unique
    /// per contact.
    pub external_id: Option<String>,
    /// A file it carried, in media storage, and the file's own name.
    pub attachment_key: Option<String>,
    pub attachment_name: Option<String>,
    /// What WhatsApp said of a message sent from Doorstep: sent, delivered, read or failed.
    pub delivery: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
