//! Presentations: a PDF and a share link of one listing or a shortlist, made from a deal or
//! on their own, with every open by the client counted on the deal.

#[cfg(feature = "ssr")]
pub mod pdf;
