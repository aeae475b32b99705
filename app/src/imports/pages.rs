//! /data: import contacts and deals from a spreadsheet, and export them; /data/imports/:token:
//! map an upload's columns, check every row, then import.

use leptos::prelude::*;

use crate::language::{t, t_with};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{load_upload, RunImport};
use super::{Field, ImportReport, UploadView};
use crate::auth::Role;
use crate::shell::{form_error, RequireRole, Shell};

#[component]
pub fn DataPage() -> impl IntoView {
    view! {
        <Shell title=t("imports-import-and-export")>
            <RequireRole role=Role::Manager>
                <DataCards/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn DataCards() -> impl IntoView {
    let error = use_query_map().with_untracked(|q| q.get("import_error"));
    view! {
        <section class="card" id="import" data-testid="import-card">
            <h2>{t("imports-import-contacts-and-deals")}</h2>
            <p class="hint">
                {t("imports-upload-explained")}
            </p>
            <form method="post" action="/data/imports" enctype="multipart/form-data" class="stack">
                <label for="csv-file">{t("imports-csv-file")}</label>
                <input id="csv-file" type="file" name="file" accept=".csv,text/csv" required/>
                {error.map(|m| view! { <p class="form-error" role="alert" data-testid="import-error">{m}</p> })}
                <button type="submit" class="primary">{t("imports-read-the-file")}</button>
            </form>
        </section>
        <section class="card" data-testid="export-card">
            <h2>{t("imports-export")}</h2>
            <p class="hint">{t("imports-everything-as-csv-times-in")}</p>
            <div class="reach">
                <a class="button secondary" href="/data/export/contacts.csv" download>{t("imports-contacts")}</a>
                <a class="button secondary" href="/data/export/deals.csv" download>{t("imports-deals")}</a>
                <a class="button secondary" href="/data/export/activities.csv" download>{t("imports-timelines")}</a>
            </div>
        </section>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let upload = Resource::new(move || token.get(), load_upload);
    let run = ServerAction::<RunImport>::new();
    view! {
        <Shell title=t("imports-import")>
            <RequireRole role=Role::Manager>
                <Transition fallback=|| view! { <p class="hint">{t("imports-reading-the-file")}</p> }>
                    {move || Suspend::new(async move {
                        match upload.await {
                            Ok(u) => view! { <Mapping u run/> }.into_any(),
                            Err(err) => view! {
                                <section class="card">
                                    <p class="form-error" role="alert">{err.to_string()}</p>
                                    <a class="button secondary" href="/data">{t("imports-upload-a-file")}</a>
                                </section>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn Mapping(u: UploadView, run: ServerAction<RunImport>) -> impl IntoView {
    let summary = t_with("imports-summary", &[("file", u.file_name.clone().into()), ("rows", u.rows.into()), ("delimiter", u.delimiter.clone().into()), ("encoding", u.encoding.clone().into())]);
    view! {
        <section class="card" data-testid="import-mapping">
            <h2>{t("imports-which-column-is-what")}</h2>
            <p class="hint">{summary}</p>
            <ActionForm action=run attr:class="stack">
                <input type="hidden" name="token" value=u.token.clone()/>
                <ul class="mapping">
                    {u.columns.into_iter().enumerate().map(|(i, c)| {
                        let id = format!("map-{i}");
                        view! {
                            <li>
                                <label for=id.clone()>
                                    <strong>{c.header.clone()}</strong>
                                    <span class="hint">{c.samples.join(" · ")}</span>
                                </label>
                                <select id=id name=format!("mapping[{i}]") data-testid="mapping-select">
                                    <option value="" selected=c.field.is_empty()>{t("imports-leave-out")}</option>
                                    {Field::ALL.into_iter().map(|f| view! {
                                        <option value=f.as_str() selected=c.field == f.as_str()>{f.label()}</option>
                                    }).collect_view()}
                                </select>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <fieldset class="choices">
                    <legend>{t("imports-if-some-rows-have-problems")}</legend>
                    <label class="check"><input type="radio" name="mode" value="valid" checked=true/>{t("imports-import-the-valid-rows-skip")}</label>
                    <label class="check"><input type="radio" name="mode" value="all"/>{t("imports-import-nothing-unless-every-row")}</label>
                </fieldset>
                {form_error(run.value())}
                <div class="reach">
                    <button type="submit" name="step" value="check" class="secondary" data-testid="check">{t("imports-check-adds-nothing")}</button>
                    <button type="submit" name="step" value="import" class="primary" data-testid="import">{t("imports-import")}</button>
                </div>
            </ActionForm>
        </section>
        {move || run.value().get().and_then(Result::ok).map(|r| view! { <Report r/> })}
    }
}

#[component]
fn Report(r: ImportReport) -> impl IntoView {
    let failed = r.rows - r.valid;
    let title = if r.written { t("imports-imported") } else { t("imports-checked") };
    view! {
        <section class="card" data-testid="import-report" role="status">
            <h2>{title}</h2>
            <dl class="facts">
                <div><dt>{t("imports-rows")}</dt><dd>{r.rows}</dd></div>
                <div><dt>{t("imports-valid")}</dt><dd>{r.valid}</dd></div>
                <div><dt>{t("imports-with-problems")}</dt><dd data-testid="problem-count">{failed}</dd></div>
                <div><dt>{if r.written { t("imports-new-contacts") } else { t("imports-new-contacts-to-add") }}</dt><dd data-testid="new-contacts">{r.new_contacts}</dd></div>
                <div><dt>{t("imports-matched-by-phone-or-e")}</dt><dd>{r.matched_contacts}</dd></div>
                <div><dt>{if r.written { t("imports-new-deals") } else { t("imports-new-deals-to-add") }}</dt><dd data-testid="new-deals">{r.new_deals}</dd></div>
                <div><dt>{t("imports-deals-already-there")}</dt><dd>{r.duplicate_deals}</dd></div>
            </dl>
            {r.written.then(|| view! { <p><a class="button primary" href="/pipeline">{t("imports-open-the-pipeline")}</a></p> })}
            {(!r.problems.is_empty()).then(|| view! {
                <h3>{t("imports-rows-with-problems")}</h3>
                <ul class="problems" data-testid="problems">
                    {r.problems.into_iter().map(|(row, reasons)| view! {
                        <li><strong>{t_with("imports-row", &[("row", row.into())])}</strong>" "{reasons.join("; ")}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!r.matches.is_empty()).then(|| view! {
                <details>
                    <summary>{t_with("imports-matches", &[("count", r.matches.len().into())])}</summary>
                    <ul class="problems">
                        {r.matches.into_iter().map(|(row, what)| view! { <li>{t_with("imports-row-what", &[("row", row.into()), ("what", what.into())])}</li> }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
    }
}
