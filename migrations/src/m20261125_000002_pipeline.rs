//! Pipeline stages, contacts, deals, their timeline, capture forms and notifications.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The stages a new agency starts with; an admin can change them later.
const DEFAULT_STAGES: &[(&str, &str, Option<i32>)] = &[
    ("New", "open", Some(1)),
    ("Contacted", "open", Some(3)),
    ("Viewing", "open", Some(7)),
    ("Offer", "open", Some(10)),
    ("Won", "won", None),
    ("Lost", "lost", None),
];

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().auto_increment().primary_key().to_owned()
}

fn at(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

fn at_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().to_owned()
}

fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().not_null().to_owned()
}

fn text_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().null().to_owned()
}

fn long_text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

fn flag(col: impl IntoIden, default: bool) -> ColumnDef {
    ColumnDef::new(col).boolean().not_null().default(default).to_owned()
}

fn fk(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden), on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

async fn index(manager: &SchemaManager<'_>, name: &str, table: impl IntoIden, cols: &[&str], unique: bool) -> Result<(), DbErr> {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for col in cols {
        statement.col(Alias::new(*col));
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The agency's country, for reading phone numbers typed without a country code.
        manager
            .alter_table(
                Table::alter()
                    .table(Agency::Table)
                    .add_column(ColumnDef::new(Agency::DefaultRegion).string().not_null().default("ES"))
                    .to_owned(),
            )
            .await?;
        // When each agent last got a lead by round robin: the fair order, kept in the database
        // so it survives restarts and is shared by every instance.
        manager
            .alter_table(Table::alter().table(Users::Table).add_column(at_null(Users::LastAssignedAt)).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Stages::Table)
                    .col(id(Stages::Id))
                    .col(text(Stages::Name))
                    .col(ColumnDef::new(Stages::Position).integer().not_null())
                    .col(text(Stages::Kind))
                    .col(ColumnDef::new(Stages::StaleAfterDays).integer().null())
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(Stages::Table)
            .columns([Stages::Name, Stages::Position, Stages::Kind, Stages::StaleAfterDays])
            .to_owned();
        for (position, (name, kind, stale)) in DEFAULT_STAGES.iter().enumerate() {
            insert.values_panic([
                (*name).into(),
                (position as i32).into(),
                (*kind).into(),
                (*stale).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(id(Contacts::Id))
                    .col(text(Contacts::Name))
                    .col(text_null(Contacts::Phone))
                    .col(text_null(Contacts::Email))
                    .col(text_null(Contacts::Whatsapp))
                    .col(text_null(Contacts::Language))
                    .col(flag(Contacts::MarketingConsent, false))
                    .col(at_null(Contacts::ConsentAt))
                    .col(ColumnDef::new(Contacts::ConsentText).text().null())
                    .col(at(Contacts::CreatedAt))
                    .col(at(Contacts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // One person, one contact: the database itself refuses a second row with the same
        // phone or e-mail, which is what keeps concurrent submissions from doubling a lead.
        index(manager, "contacts_phone", Contacts::Table, &["phone"], true).await?;
        index(manager, "contacts_email", Contacts::Table, &["email"], true).await?;

        manager
            .create_table(
                Table::create()
                    .table(CaptureForms::Table)
                    .col(id(CaptureForms::Id))
                    .col(ColumnDef::new(CaptureForms::Slug).string().not_null().unique_key())
                    .col(text(CaptureForms::Title))
                    .col(long_text(CaptureForms::Intro))
                    .col(flag(CaptureForms::ShowMessage, true))
                    .col(flag(CaptureForms::ShowBudget, false))
                    .col(flag(CaptureForms::ShowMoveIn, false))
                    .col(flag(CaptureForms::ShowPropertyRef, false))
                    .col(flag(CaptureForms::ShowConsent, true))
                    .col(long_text(CaptureForms::ConsentText))
                    .col(text(CaptureForms::DefaultNeed))
                    .col(text(CaptureForms::Currency))
                    .col(text(CaptureForms::Assignment))
                    .col(ColumnDef::new(CaptureForms::FixedAgentId).big_integer().null())
                    .col(long_text(CaptureForms::ThankYouText))
                    .col(text_null(CaptureForms::RedirectUrl))
                    .col(flag(CaptureForms::Active, true))
                    .col(ColumnDef::new(CaptureForms::ReceivedCount).big_integer().not_null().default(0))
                    .col(ColumnDef::new(CaptureForms::DuplicateCount).big_integer().not_null().default(0))
                    .col(ColumnDef::new(CaptureForms::SpamCount).big_integer().not_null().default(0))
                    .col(at(CaptureForms::CreatedAt))
                    .col(at(CaptureForms::UpdatedAt))
                    .foreign_key(&mut fk((CaptureForms::Table, CaptureForms::FixedAgentId), (Users::Table, Users::Id), ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deals::Table)
                    .col(id(Deals::Id))
                    .col(ColumnDef::new(Deals::ContactId).big_integer().not_null())
                    .col(text(Deals::Need))
                    // Money in integer minor units (cents) with its currency: never a float.
                    .col(ColumnDef::new(Deals::BudgetMin).big_integer().null())
                    .col(ColumnDef::new(Deals::BudgetMax).big_integer().null())
                    .col(text(Deals::Currency))
                    .col(text_null(Deals::Areas))
                    .col(ColumnDef::new(Deals::Bedrooms).integer().null())
                    .col(text_null(Deals::PropertyRef))
                    .col(text_null(Deals::MoveIn))
                    .col(ColumnDef::new(Deals::OwnerId).big_integer().null())
                    .col(ColumnDef::new(Deals::StageId).big_integer().not_null())
                    .col(text(Deals::Source))
                    .col(ColumnDef::new(Deals::FormId).big_integer().null())
                    .col(text_null(Deals::UtmSource))
                    .col(text_null(Deals::UtmMedium))
                    .col(text_null(Deals::UtmCampaign))
                    .col(text_null(Deals::UtmTerm))
                    .col(text_null(Deals::UtmContent))
                    .col(ColumnDef::new(Deals::Referrer).text().null())
                    .col(at(Deals::CreatedAt))
                    .col(at(Deals::UpdatedAt))
                    .col(at_null(Deals::FirstResponseAt))
                    .col(at_null(Deals::ClosedAt))
                    .col(ColumnDef::new(Deals::Version).big_integer().not_null().default(1))
                    .foreign_key(&mut fk((Deals::Table, Deals::ContactId), (Contacts::Table, Contacts::Id), ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk((Deals::Table, Deals::OwnerId), (Users::Table, Users::Id), ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk((Deals::Table, Deals::StageId), (Stages::Table, Stages::Id), ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk((Deals::Table, Deals::FormId), (CaptureForms::Table, CaptureForms::Id), ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        index(manager, "deals_contact", Deals::Table, &["contact_id"], false).await?;
        index(manager, "deals_owner_stage", Deals::Table, &["owner_id", "stage_id"], false).await?;
        index(manager, "deals_stage_created", Deals::Table, &["stage_id", "created_at"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(Activities::Table)
                    .col(id(Activities::Id))
                    .col(ColumnDef::new(Activities::DealId).big_integer().null())
                    .col(ColumnDef::new(Activities::ContactId).big_integer().not_null())
                    .col(text(Activities::Kind))
                    .col(text(Activities::Direction))
                    .col(ColumnDef::new(Activities::AuthorId).big_integer().null())
                    .col(long_text(Activities::Body))
                    .col(at(Activities::OccurredAt))
                    .col(at(Activities::CreatedAt))
                    .foreign_key(&mut fk((Activities::Table, Activities::DealId), (Deals::Table, Deals::Id), ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk((Activities::Table, Activities::ContactId), (Contacts::Table, Contacts::Id), ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk((Activities::Table, Activities::AuthorId), (Users::Table, Users::Id), ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        index(manager, "activities_deal_time", Activities::Table, &["deal_id", "occurred_at"], false).await?;
        index(manager, "activities_contact_time", Activities::Table, &["contact_id", "occurred_at"], false).await?;

        // A submission's content hash: the same content again within minutes is the same lead.
        manager
            .create_table(
                Table::create()
                    .table(CaptureSubmissions::Table)
                    .col(id(CaptureSubmissions::Id))
                    .col(ColumnDef::new(CaptureSubmissions::Fingerprint).string().not_null().unique_key())
                    .col(ColumnDef::new(CaptureSubmissions::FormId).big_integer().null())
                    .col(ColumnDef::new(CaptureSubmissions::DealId).big_integer().not_null())
                    .col(ColumnDef::new(CaptureSubmissions::ContactId).big_integer().not_null())
                    .col(text(CaptureSubmissions::Outcome))
                    .col(at(CaptureSubmissions::CreatedAt))
                    .foreign_key(&mut fk((CaptureSubmissions::Table, CaptureSubmissions::DealId), (Deals::Table, Deals::Id), ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        index(manager, "capture_submissions_created", CaptureSubmissions::Table, &["created_at"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(id(Notifications::Id))
                    .col(ColumnDef::new(Notifications::UserId).big_integer().not_null())
                    .col(text(Notifications::Kind))
                    .col(text(Notifications::Title))
                    .col(long_text(Notifications::Body))
                    .col(ColumnDef::new(Notifications::DealId).big_integer().null())
                    .col(at(Notifications::CreatedAt))
                    .col(at_null(Notifications::ReadAt))
                    .foreign_key(&mut fk((Notifications::Table, Notifications::UserId), (Users::Table, Users::Id), ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk((Notifications::Table, Notifications::DealId), (Deals::Table, Deals::Id), ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        index(manager, "notifications_user_created", Notifications::Table, &["user_id", "created_at"], false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            CaptureSubmissions::Table.into_iden(),
            Activities::Table.into_iden(),
            Deals::Table.into_iden(),
            CaptureForms::Table.into_iden(),
            Contacts::Table.into_iden(),
            Stages::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::LastAssignedAt).to_owned()).await?;
        manager.alter_table(Table::alter().table(Agency::Table).drop_column(Agency::DefaultRegion).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    DefaultRegion,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    LastAssignedAt,
}

#[derive(DeriveIden)]
enum Stages {
    Table,
    Id,
    Name,
    Position,
    Kind,
    StaleAfterDays,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    Name,
    Phone,
    Email,
    Whatsapp,
    Language,
    MarketingConsent,
    ConsentAt,
    ConsentText,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaptureForms {
    Table,
    Id,
    Slug,
    Title,
    Intro,
    ShowMessage,
    ShowBudget,
    ShowMoveIn,
    ShowPropertyRef,
    ShowConsent,
    ConsentText,
    DefaultNeed,
    Currency,
    Assignment,
    FixedAgentId,
    ThankYouText,
    RedirectUrl,
    Active,
    ReceivedCount,
    DuplicateCount,
    SpamCount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Deals {
    Table,
    Id,
    ContactId,
    Need,
    BudgetMin,
    BudgetMax,
    Currency,
    Areas,
    Bedrooms,
    PropertyRef,
    MoveIn,
    OwnerId,
    StageId,
    Source,
    FormId,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Referrer,
    CreatedAt,
    UpdatedAt,
    FirstResponseAt,
    ClosedAt,
    Version,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    DealId,
    ContactId,
    Kind,
    Direction,
    AuthorId,
    Body,
    OccurredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaptureSubmissions {
    Table,
    Id,
    Fingerprint,
    FormId,
    DealId,
    ContactId,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    DealId,
    CreatedAt,
    ReadAt,
}
