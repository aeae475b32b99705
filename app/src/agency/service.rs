use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use super::Agency;
use crate::db::entities::agency;
use crate::error::AppError;

const ROW_ID: i32 = 1;

/// An IANA time-zone name such as `Europe/Madrid`.
pub fn parse_time_zone(input: &str) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() {
        return Err(crate::language::t("agency-choose-a-time-zone"));
    }
    value
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| format!("{value:?} is not a time zone; choose one from the list, like Europe/Madrid."))
}

/// Every time-zone name, for pickers.
pub fn time_zone_names() -> Vec<String> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_owned()).collect()
}

pub async fn load(db: &impl ConnectionTrait) -> Result<Agency, AppError> {
    let row = agency::Entity::find_by_id(ROW_ID).one(db).await?;
    Ok(match row {
        Some(row) => Agency { name: row.name, time_zone: row.time_zone, default_region: row.default_region, language: row.language },
        None => Agency::unnamed(),
    })
}

/// A country for reading phone numbers typed without a country code: an ISO 3166 code that
/// the phone-number rules know, like ES or GB.
pub fn parse_region(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 2 && code.parse::<phonenumber::country::Id>().is_ok() {
        Ok(code)
    } else {
        Err(crate::language::t("agency-use-a-country-code"))
    }
}

/// Changes the agency's name, time zone, phone country and language, as an admin chose them
/// (no language: the one it has).
pub async fn update(db: &impl ConnectionTrait, name: &str, time_zone: &str, region: &str, language: &str) -> Result<(), AppError> {
    let language = match language.trim() {
        "" => self::language(db).await?,
        code => code.to_owned(),
    };
    let mut v = crate::error::Validator::default();
    let name = v.check("name", super::parse_agency_name(name));
    let time_zone = v.check("time_zone", parse_time_zone(time_zone));
    let region = v.check("default_region", parse_region(region));
    let language = v.check("language", crate::language::Language::parse(&language).map(|l| l.code()).ok_or_else(crate::auth::service::unknown_language));
    let (name, time_zone, region, language) = v.finish_with((name, time_zone, region, language))?;
    save(db, &name, &time_zone).await?;
    agency::Entity::update_many()
        .col_expr(agency::Column::DefaultRegion, sea_orm::sea_query::Expr::value(region))
        .col_expr(agency::Column::Language, sea_orm::sea_query::Expr::value(language.clone()))
        .exec(db)
        .await?;
    if let Some(language) = crate::language::Language::stored(&language) {
        crate::deals::service::name_defaults(db, &language).await?;
    }
    Ok(())
}

/// The language of people who chose none ("en" before an agency is set up).
pub async fn language(db: &impl ConnectionTrait) -> Result<String, AppError> {
    use sea_orm::QuerySelect;
    let code: Option<String> = agency::Entity::find_by_id(ROW_ID).select_only().column(agency::Column::Language).into_tuple().one(db).await?;
    Ok(code.unwrap_or_else(|| FIRST_LANGUAGE.into()))
}

/// The language before an agency is set up.
pub const FIRST_LANGUAGE: &str = "en";

/// [`language`] as a scalar subquery, to read with another query (NULL before an agency is
/// set up): the session's read takes it along.
pub fn language_subquery() -> String {
    format!("(SELECT language FROM agency WHERE id = {ROW_ID})")
}

/// Gives an installation in use that has no agency row (made from the command line before
/// `--agency` existed) one, named `UNNAMED` for its admin to complete, so that everything
/// that reads the agency (presentations, share pages, alerts) finds it. Several instances
/// starting at once may all try: the fixed key keeps one.
pub async fn ensure(db: &impl ConnectionTrait, time_zone: &str) -> Result<(), AppError> {
    if agency::Entity::find_by_id(ROW_ID).one(db).await?.is_some() {
        return Ok(());
    }
    let row = agency::ActiveModel {
        id: Set(ROW_ID),
        name: Set(super::UNNAMED.to_owned()),
        time_zone: Set(time_zone.to_owned()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    agency::Entity::insert(row)
        .on_conflict(sea_orm::sea_query::OnConflict::column(agency::Column::Id).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn save(db: &impl ConnectionTrait, name: &str, time_zone: &str) -> Result<(), AppError> {
    let row = agency::ActiveModel {
        id: Set(ROW_ID),
        name: Set(name.to_owned()),
        time_zone: Set(time_zone.to_owned()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    match agency::Entity::find_by_id(ROW_ID).one(db).await? {
        Some(_) => row.update(db).await?,
        None => row.insert(db).await?,
    };
    Ok(())
}

/// The alert settings: escalation after so many minutes (None: off), and the digest hour.
pub async fn alerts(db: &impl ConnectionTrait) -> Result<(Option<i32>, i32), AppError> {
    Ok(agency::Entity::find_by_id(ROW_ID).one(db).await?.map_or((Some(120), 8), |a| (a.escalate_after_minutes, a.digest_hour)))
}

/// Saves the alert settings as an admin typed them; every problem at once.
pub async fn save_alerts(db: &impl ConnectionTrait, escalate_after: &str, digest_hour: &str) -> Result<(), AppError> {
    let mut v = crate::error::Validator::default();
    let escalate = match escalate_after.trim() {
        "" => None,
        raw => v.check("escalate_after", raw.parse::<i32>().ok().filter(|m| (5..=10_080).contains(m)).ok_or_else(|| crate::language::t("agency-give-minutes-5-to-10080"))),
    };
    let hour = v.check("digest_hour", digest_hour.trim().parse::<i32>().ok().filter(|h| (0..=23).contains(h)).ok_or_else(|| crate::language::t("agency-give-an-hour")));
    let hour = v.finish_with(hour)?;
    agency::Entity::update_many()
        .col_expr(agency::Column::EscalateAfterMinutes, sea_orm::sea_query::Expr::value(escalate))
        .col_expr(agency::Column::DigestHour, sea_orm::sea_query::Expr::value(hour))
        .exec(db)
        .await?;
    Ok(())
}

/// The agency's colour (#rrggbb) and logo address, as presentations show them.
pub async fn brand(db: &impl ConnectionTrait) -> Result<(String, Option<String>), AppError> {
    Ok(agency::Entity::find_by_id(ROW_ID)
        .one(db)
        .await?
        .map_or(("#1f5f8b".into(), None), |a| (a.brand_color, a.logo_key.map(|k| crate::properties::photos::media_url(&k)))))
}

/// A colour as a colour picker sends it, or as typed: "#1F5F8B", "1f5f8b".
pub fn parse_color(raw: &str) -> Result<String, String> {
    let hex = raw.trim().trim_start_matches('#');
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err(crate::language::t("agency-give-a-colour"))
    }
}

pub async fn save_color(db: &impl ConnectionTrait, raw: &str) -> Result<(), AppError> {
    let color = parse_color(raw).map_err(|m| AppError::field("brand_color", m))?;
    agency::Entity::update_many().col_expr(agency::Column::BrandColor, sea_orm::sea_query::Expr::value(color)).exec(db).await?;
    Ok(())
}

/// Stores a new logo (checked and resized like a photo) and drops the old one's file.
pub async fn save_logo(db: &impl ConnectionTrait, media: &dyn crate::media::Storage, bytes: Vec<u8>) -> Result<(), AppError> {
    let _turn = crate::media::photos::DECODING.acquire().await.map_err(|_| AppError::Internal)?;
    let logo = tokio::task::spawn_blocking(move || crate::media::photos::logo(&bytes)).await.map_err(|err| {
        tracing::error!(error = %err, "logo processing stopped");
        AppError::Internal
    })??;
    let key = format!("brand/{}.jpg", crate::media::photos::random_name());
    media.put(&key, logo, "image/jpeg").await?;
    let old = agency::Entity::find_by_id(ROW_ID).one(db).await?.and_then(|a| a.logo_key);
    if let Err(err) = agency::Entity::update_many().col_expr(agency::Column::LogoKey, sea_orm::sea_query::Expr::value(key.clone())).exec(db).await {
        // Nothing points at the new file: take it away again.
        let _ = media.delete(&key).await;
        return Err(err.into());
    }
    if let Some(old) = old {
        let _ = media.delete(&old).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_countries_are_known_iso_codes() {
        assert_eq!(parse_region(" gb ").unwrap(), "GB");
        assert!(parse_region("XX").is_err());
        assert!(parse_region("Spain").is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(parse_time_zone(" Europe/Madrid ").unwrap(), "Europe/Madrid");
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(parse_time_zone("").is_err());
        assert!(time_zone_names().iter().any(|n| n == "America/New_York"));
    }
}
