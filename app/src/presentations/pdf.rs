//! The presentation as a PDF: the agency's colours, a cover with the hero photo, each
//! listing's facts, description and photos, a comparison table for a shortlist, the agent's
//! card with a QR code to the share link, and page numbers. Laid out here with the embedded
//! font's own glyph widths, so any European script wraps and renders correctly.
//!
//! Photos go into the PDF as the JPEGs they are stored as (no decoding, no re-compression),
//! which is what keeps a ten-photo brochure fast.

use std::sync::LazyLock;

use crate::language::{t, t_with};

use printpdf::{
    Color, DictItem, ExternalStream, ExternalXObject, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, XObjectId, XObjectTransform,
};
use printpdf::matrix::CurTransMat;

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`): Latin, Greek and
/// Cyrillic, so "José Núñez", "Zoë", "Łódź" and "Ελένη" all have their glyphs.
static REGULAR: LazyLock<ParsedFont> = LazyLock::new(|| {
    ParsedFont::from_bytes(include_bytes!("../../../assets/fonts/DejaVuSans.ttf"), 0, &mut Vec::new()).expect("the embedded font parses")
});
static BOLD: LazyLock<ParsedFont> = LazyLock::new(|| {
    ParsedFont::from_bytes(include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf"), 0, &mut Vec::new()).expect("the embedded font parses")
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    pub fn parse(code: &str) -> Option<Paper> {
        match code {
            "a4" => Some(Paper::A4),
            "letter" => Some(Paper::Letter),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    /// Width and height in points.
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// A stored display JPEG (baseline, RGB) and its size in pixels.
#[derive(Clone)]
pub struct Photo {
    pub jpeg: std::sync::Arc<Vec<u8>>,
    pub width: u32,
    pub height: u32,
}

/// One listing as the brochure tells it; every text already in the reader's words.
#[derive(Clone)]
pub struct Listing {
    pub title: String,
    pub reference: String,
    /// "€350,000" or "€1,200 a month".
    pub price: String,
    /// "Flat for sale".
    pub kind: String,
    pub place: String,
    /// (label, value) pairs: Bedrooms 3, Built area 120 m², Energy rating B...
    pub facts: Vec<(String, String)>,
    pub description: String,
    pub features: Vec<String>,
    pub photos: Vec<Photo>,
    /// The comparison table's rows, in the order of `COMPARED`.
    pub compared: Vec<String>,
}

/// What the comparison table compares, in its row order.
/// (The keys of their names in the messages.)
pub const COMPARED: &[&str] = &[
    "presentations-pdf-price",
    "presentations-pdf-price-m2",
    "presentations-pdf-bedrooms",
    "presentations-pdf-bathrooms",
    "presentations-pdf-built",
    "presentations-pdf-plot",
    "presentations-pdf-energy",
    "presentations-pdf-area",
];

pub struct AgentCard {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub whatsapp: Option<String>,
}

pub struct Brochure {
    pub agency: String,
    /// #rrggbb
    pub color: (u8, u8, u8),
    pub logo: Option<Photo>,
    pub client: Option<String>,
    pub agent: AgentCard,
    pub share_url: String,
    /// The day it was made, as the agency writes dates.
    pub date: String,
    pub paper: Paper,
    pub listings: Vec<Listing>,
}

/// Parses "#1f5f8b"; anything else is the default blue.
pub fn color(hex: &str) -> (u8, u8, u8) {
    let hex = hex.trim_start_matches('#');
    let part = |i: usize| hex.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok());
    match (hex.len(), part(0), part(2), part(4)) {
        (6, Some(r), Some(g), Some(b)) => (r, g, b),
        _ => (0x1f, 0x5f, 0x8b),
    }
}

const MARGIN: f32 = 42.0;
const FOOTER: f32 = 30.0;
const INK: (u8, u8, u8) = (0x1d, 0x24, 0x2b);
const MUTED: (u8, u8, u8) = (0x5b, 0x66, 0x70);
const RULE: (u8, u8, u8) = (0xd5, 0xdb, 0xe0);

fn rgb((r, g, b): (u8, u8, u8)) -> Color {
    Color::Rgb(Rgb { r: f32::from(r) / 255.0, g: f32::from(g) / 255.0, b: f32::from(b) / 255.0, icc_profile: None })
}

#[derive(Clone, Copy)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn font(self) -> &'static ParsedFont {
        match self {
            Face::Regular => &REGULAR,
            Face::Bold => &BOLD,
        }
    }
}

/// The width of `text` set in `face` at `size` points.
fn width(face: Face, size: f32, text: &str) -> f32 {
    let font = face.font();
    let units: u32 = text
        .chars()
        .map(|c| font.lookup_glyph_index(c as u32).and_then(|g| font.get_glyph_width(g)).map_or(500, u32::from))
        .sum();
    units as f32 * size / f32::from(font.units_per_em.max(1))
}

/// Breaks `text` into lines no wider than `max`: at spaces, and inside a word only when the
/// word alone is wider than the line. Blank lines in the text stay as paragraph breaks.
fn wrap(face: Face, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if width(face, size, &candidate) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word longer than the line (a URL, say) is cut where it must be.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if width(face, size, &piece) > max {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// Pages being written top to bottom, with a cursor `y` (points from the bottom).
struct Writer {
    doc: PdfDocument,
    paper: (f32, f32),
    pages: Vec<Vec<Op>>,
    y: f32,
    regular: printpdf::FontId,
    bold: printpdf::FontId,
    brand: (u8, u8, u8),
}

impl Writer {
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page is open")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.paper.1 - MARGIN;
    }

    fn content_width(&self) -> f32 {
        self.paper.0 - 2.0 * MARGIN
    }

    /// Starts a new page unless `height` more points fit above the footer.
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN + FOOTER {
            self.new_page();
        }
    }

    fn text_at(&mut self, face: Face, size: f32, color: (u8, u8, u8), x: f32, y: f32, text: &str) {
        let font = match face {
            Face::Regular => self.regular.clone(),
            Face::Bold => self.bold.clone(),
        };
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFillColor { col: rgb(color) },
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
    }

    /// Wrapped text at the cursor, across pages when it must.
    fn paragraph(&mut self, face: Face, size: f32, color: (u8, u8, u8), text: &str) {
        let leading = size * 1.45;
        let max = self.content_width();
        for line in wrap(face, size, text, max) {
            self.ensure(leading);
            self.y -= leading;
            if !line.is_empty() {
                self.text_at(face, size, color, MARGIN, self.y + size * 0.3, &line);
            }
        }
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn rect(&mut self, color: (u8, u8, u8), x: f32, y: f32, w: f32, h: f32) {
        self.ops().extend([
            Op::SetFillColor { col: rgb(color) },
            Op::DrawRectangle {
                rectangle: Rect { x: Pt(x), y: Pt(y), width: Pt(w), height: Pt(h), mode: Some(PaintMode::Fill), winding_order: None },
            },
        ]);
    }

    fn rule(&mut self) {
        let width = self.content_width();
        let y = self.y;
        self.rect(RULE, MARGIN, y, width, 0.8);
    }

    fn image(&mut self, photo: &Photo) -> XObjectId {
        let mut dict = std::collections::BTreeMap::new();
        dict.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
        dict.insert("Subtype".into(), DictItem::Name(b"Image".to_vec()));
        dict.insert("Width".into(), DictItem::Int(i64::from(photo.width)));
        dict.insert("Height".into(), DictItem::Int(i64::from(photo.height)));
        dict.insert("ColorSpace".into(), DictItem::Name(b"DeviceRGB".to_vec()));
        dict.insert("BitsPerComponent".into(), DictItem::Int(8));
        dict.insert("Filter".into(), DictItem::Name(b"DCTDecode".to_vec()));
        self.doc.add_xobject(&ExternalXObject {
            stream: ExternalStream { dict, content: photo.jpeg.as_ref().clone(), compress: false },
            width: None,
            height: None,
            dpi: None,
        })
    }

    /// Draws `id` into the box (x, y, w, h), filling it and cropping what overflows, as a
    /// cover photo is framed.
    fn photo_fill(&mut self, id: XObjectId, photo: &Photo, x: f32, y: f32, w: f32, h: f32) {
        let scale = (w / photo.width as f32).max(h / photo.height as f32);
        let (iw, ih) = (photo.width as f32 * scale, photo.height as f32 * scale);
        let (ix, iy) = (x - (iw - w) / 2.0, y - (ih - h) / 2.0);
        self.ops().extend([
            Op::SaveGraphicsState,
            Op::DrawRectangle {
                rectangle: Rect { x: Pt(x), y: Pt(y), width: Pt(w), height: Pt(h), mode: Some(PaintMode::Clip), winding_order: None },
            },
            Op::SetTransformationMatrix { matrix: CurTransMat::Raw([iw, 0.0, 0.0, ih, ix, iy]) },
            Op::UseXobject { id, transform: XObjectTransform { no_auto_scale: true, ..Default::default() } },
            Op::RestoreGraphicsState,
        ]);
    }

    /// Draws `id` as large as fits in the box, whole, centred horizontally and at its top.
    fn photo_fit(&mut self, id: XObjectId, photo: &Photo, x: f32, top: f32, w: f32, h: f32) -> f32 {
        let scale = (w / photo.width as f32).min(h / photo.height as f32);
        let (iw, ih) = (photo.width as f32 * scale, photo.height as f32 * scale);
        let ix = x + (w - iw) / 2.0;
        self.ops().extend([
            Op::SaveGraphicsState,
            Op::SetTransformationMatrix { matrix: CurTransMat::Raw([iw, 0.0, 0.0, ih, ix, top - ih]) },
            Op::UseXobject { id, transform: XObjectTransform { no_auto_scale: true, ..Default::default() } },
            Op::RestoreGraphicsState,
        ]);
        ih
    }
}

/// The PDF's bytes.
pub fn render(brochure: &Brochure) -> Vec<u8> {
    let mut doc = PdfDocument::new(&title_of(brochure));
    doc.metadata.info.author = brochure.agency.clone();
    doc.metadata.info.creator = "Doorstep".into();
    let now = printpdf::OffsetDateTime::now_utc();
    doc.metadata.info.creation_date = now;
    doc.metadata.info.modification_date = now;
    doc.metadata.info.metadata_date = now;
    let regular = doc.add_font(&REGULAR);
    let bold = doc.add_font(&BOLD);
    let mut w = Writer { doc, paper: brochure.paper.size(), pages: Vec::new(), y: 0.0, regular, bold, brand: brochure.color };
    // Each photo is stored in the file once, however often it is shown.
    let images: Vec<Vec<XObjectId>> = brochure.listings.iter().map(|l| l.photos.iter().map(|p| w.image(p)).collect()).collect();
    let logo = brochure.logo.as_ref().map(|l| (w.image(l), l));

    cover(&mut w, brochure, &images, logo);
    if brochure.listings.len() > 1 {
        comparison(&mut w, brochure);
    }
    for (listing, ids) in brochure.listings.iter().zip(&images) {
        listing_pages(&mut w, brochure, listing, ids);
    }
    agent_card(&mut w, brochure);
    footers(&mut w, brochure);

    let (pw, ph) = w.paper;
    let pages = w.pages.drain(..).map(|ops| PdfPage::new(Mm::from(Pt(pw)), Mm::from(Pt(ph)), ops)).collect();
    let options = PdfSaveOptions { image_optimization: None, ..Default::default() };
    w.doc.with_pages(pages).save(&options, &mut Vec::new())
}

fn title_of(brochure: &Brochure) -> String {
    match (brochure.listings.as_slice(), &brochure.client) {
        ([one], _) => one.title.clone(),
        (many, Some(client)) => format!("{} homes selected for {client}", many.len()),
        (many, None) => format!("{} homes selected by {}", many.len(), brochure.agency),
    }
}

fn cover(w: &mut Writer, b: &Brochure, images: &[Vec<XObjectId>], logo: Option<(XObjectId, &Photo)>) {
    w.new_page();
    let (pw, ph) = w.paper;
    let band = 64.0;
    let brand = w.brand;
    w.rect(brand, 0.0, ph - band, pw, band);
    w.text_at(Face::Bold, 18.0, (255, 255, 255), MARGIN, ph - band / 2.0 - 6.0, &b.agency);
    let mut top = ph - band;
    if let Some((id, photo)) = logo {
        // On white under the band, where any logo reads.
        let h = 40.0;
        let wdt = (photo.width as f32 / photo.height as f32 * h).min(160.0);
        w.photo_fit(id, photo, pw - MARGIN - wdt, top - 12.0, wdt, h);
        top -= 12.0 + h;
    }
    let hero = b.listings.iter().zip(images).find_map(|(l, ids)| l.photos.first().zip(ids.first()));
    if let Some((photo, id)) = hero {
        let h = ph * 0.46;
        w.photo_fill(id.clone(), photo, 0.0, top - 12.0 - h, pw, h);
        top -= 12.0 + h;
    }
    w.y = top - 18.0;
    let title = title_of(b);
    w.paragraph(Face::Bold, 24.0, INK, &title);
    if let [one] = b.listings.as_slice() {
        w.gap(4.0);
        w.paragraph(Face::Bold, 20.0, brand, &one.price);
        w.paragraph(Face::Regular, 12.0, MUTED, &format!("{} · {} · Ref. {}", one.kind, one.place, one.reference));
    } else {
        w.gap(4.0);
        for listing in &b.listings {
            w.paragraph(Face::Regular, 12.0, INK, &format!("{} — {}, {}", listing.title, listing.price, listing.place));
        }
    }
    w.gap(14.0);
    let prepared = match &b.client {
        Some(client) => t_with("presentations-pdf-prepared-for", &[("client", client.as_str().into()), ("agent", b.agent.name.as_str().into()), ("date", b.date.as_str().into())]),
        None => t_with("presentations-pdf-prepared", &[("agent", b.agent.name.as_str().into()), ("date", b.date.as_str().into())]),
    };
    w.paragraph(Face::Regular, 11.0, MUTED, &prepared);
}

fn comparison(w: &mut Writer, b: &Brochure) {
    w.new_page();
    w.paragraph(Face::Bold, 18.0, INK, &t("presentations-pdf-side-by-side"));
    w.gap(10.0);
    let n = b.listings.len();
    let label_w = 92.0;
    let col_w = (w.content_width() - label_w) / n as f32;
    // Header: each listing's title, wrapped in its column.
    let size = 9.5;
    let heads: Vec<Vec<String>> = b.listings.iter().map(|l| wrap(Face::Bold, size, &l.title, col_w - 8.0)).collect();
    let head_lines = heads.iter().map(Vec::len).max().unwrap_or(1) as f32;
    let head_h = head_lines * size * 1.3 + 10.0;
    let brand = w.brand;
    let y0 = w.y - head_h;
    w.rect(brand, MARGIN, y0, w.content_width(), head_h);
    for (i, lines) in heads.iter().enumerate() {
        for (k, line) in lines.iter().enumerate() {
            let x = MARGIN + label_w + i as f32 * col_w + 4.0;
            w.text_at(Face::Bold, size, (255, 255, 255), x, w.y - 6.0 - (k as f32 + 1.0) * size * 1.3 + 3.0, line);
        }
    }
    w.y = y0;
    for (row, label) in COMPARED.iter().enumerate() {
        let cells: Vec<Vec<String>> =
            b.listings.iter().map(|l| wrap(Face::Regular, size, l.compared.get(row).map_or("—", String::as_str), col_w - 8.0)).collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
        let h = lines * size * 1.3 + 8.0;
        w.ensure(h);
        if row % 2 == 1 {
            let y = w.y - h;
            w.rect((0xf2, 0xf5, 0xf7), MARGIN, y, w.content_width(), h);
        }
        w.text_at(Face::Bold, size, MUTED, MARGIN + 4.0, w.y - 4.0 - size * 1.05, &t(label));
        for (i, lines) in cells.iter().enumerate() {
            for (k, line) in lines.iter().enumerate() {
                let x = MARGIN + label_w + i as f32 * col_w + 4.0;
                w.text_at(Face::Regular, size, INK, x, w.y - 4.0 - size * 1.05 - k as f32 * size * 1.3, line);
            }
        }
        w.y -= h;
    }
    w.rule();
}

fn listing_pages(w: &mut Writer, b: &Brochure, l: &Listing, ids: &[XObjectId]) {
    w.new_page();
    let brand = w.brand;
    let shortlist = b.listings.len() > 1;
    if shortlist
        && let (Some(photo), Some(id)) = (l.photos.first(), ids.first()) {
            let h = 250.0;
            let width = w.content_width();
            let top = w.y;
            w.photo_fill(id.clone(), photo, MARGIN, top - h, width, h);
            w.y = top - h - 8.0;
        }
    w.paragraph(Face::Bold, 18.0, INK, &l.title);
    w.paragraph(Face::Bold, 15.0, brand, &l.price);
    w.paragraph(Face::Regular, 10.5, MUTED, &format!("{} · {} · Ref. {}", l.kind, l.place, l.reference));
    w.gap(10.0);

    // Key facts, two to a row.
    let half = w.content_width() / 2.0;
    for pair in l.facts.chunks(2) {
        w.ensure(20.0);
        w.y -= 18.0;
        for (i, (label, value)) in pair.iter().enumerate() {
            let x = MARGIN + i as f32 * half;
            w.text_at(Face::Regular, 10.0, MUTED, x, w.y, label);
            w.text_at(Face::Bold, 10.5, INK, x + 92.0, w.y, value);
        }
    }
    w.gap(10.0);
    w.rule();
    w.gap(8.0);
    if !l.description.trim().is_empty() {
        w.paragraph(Face::Regular, 10.5, INK, l.description.trim());
        w.gap(8.0);
    }
    if !l.features.is_empty() {
        w.ensure(40.0);
        w.paragraph(Face::Bold, 12.0, INK, &t("presentations-pdf-features"));
        for feature in &l.features {
            w.paragraph(Face::Regular, 10.5, INK, &format!("•  {feature}"));
        }
    }
    // Photo pages: two to a page, each as large as fits, in the agent's order. The first
    // photo was shown on the cover or at the head of this listing.
    let photos: Vec<(&Photo, &XObjectId)> = l.photos.iter().zip(ids).skip(1).collect();
    for pair in photos.chunks(2) {
        w.new_page();
        let slot = (w.paper.1 - 2.0 * MARGIN - FOOTER - 14.0) / 2.0;
        let width = w.content_width();
        for (photo, id) in pair {
            let top = w.y;
            let used = w.photo_fit((*id).clone(), photo, MARGIN, top, width, slot);
            w.y = top - used - 14.0;
        }
    }
}

fn agent_card(w: &mut Writer, b: &Brochure) {
    let qr_side = 120.0;
    w.ensure(qr_side + 90.0);
    w.gap(24.0);
    w.rule();
    w.gap(6.0);
    w.paragraph(Face::Bold, 14.0, INK, &t("presentations-pdf-your-agent"));
    let top = w.y;
    w.paragraph(Face::Bold, 12.0, INK, &b.agent.name);
    w.paragraph(Face::Regular, 10.5, INK, &b.agency);
    for (label, value) in [(t("presentations-pdf-phone"), &b.agent.phone), (t("presentations-pdf-email"), &b.agent.email), ("WhatsApp".to_owned(), &b.agent.whatsapp)] {
        if let Some(value) = value {
            w.paragraph(Face::Regular, 10.5, INK, &format!("{label}: {value}"));
        }
    }
    // The QR code at the right, with the link written under it for whoever types.
    let x = w.paper.0 - MARGIN - qr_side;
    qr(w, &b.share_url, x, top - qr_side, qr_side);
    let caption_y = top - qr_side - 12.0;
    w.text_at(Face::Regular, 8.0, MUTED, x, caption_y, &t("presentations-pdf-scan"));
    w.y = w.y.min(caption_y - 6.0);
    w.paragraph(Face::Regular, 8.5, MUTED, &b.share_url);
}

/// A QR code of `data`, `side` points square, dark modules as filled runs.
fn qr(w: &mut Writer, data: &str, x: f32, y: f32, side: f32) {
    let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else { return };
    let n = code.width();
    let quiet = 2.0;
    let module = side / (n as f32 + 2.0 * quiet);
    let colors = code.to_colors();
    w.rect((255, 255, 255), x, y, side, side);
    w.ops().push(Op::SetFillColor { col: rgb((0, 0, 0)) });
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                let rx = x + (quiet + start as f32) * module;
                let ry = y + side - (quiet + row as f32 + 1.0) * module;
                w.ops().push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(rx),
                        y: Pt(ry),
                        width: Pt((col - start) as f32 * module),
                        // A hair taller, so anti-aliasing leaves no seams between rows.
                        height: Pt(module + 0.05),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            } else {
                col += 1;
            }
        }
    }
}

fn footers(w: &mut Writer, b: &Brochure) {
    let total = w.pages.len();
    let (pw, _) = w.paper;
    for i in 0..total {
        let label = format!("{} / {}", i + 1, total);
        let lw = width(Face::Regular, 8.5, &label);
        let regular = w.regular.clone();
        let page = &mut w.pages[i];
        for (text, x) in [(b.agency.as_str(), MARGIN), (label.as_str(), pw - MARGIN - lw)] {
            page.extend([
                Op::StartTextSection,
                Op::SetFillColor { col: rgb(MUTED) },
                Op::SetFont { font: PdfFontHandle::External(regular.clone()), size: Pt(8.5) },
                Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(MARGIN - 14.0) } },
                Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
                Op::EndTextSection,
            ]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_lines_inside_the_width() {
        let text = "Łódź, Ελένη and José Núñez walk into a very long sentence that has to wrap several times over.";
        let lines = wrap(Face::Regular, 11.0, text, 150.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width(Face::Regular, 11.0, l) <= 150.0));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn every_european_letter_has_a_glyph() {
        for c in "José Núñez Zoë Łódź Ελένη Øresund Škoda Čapek Ğüzel Ærø ßÿ".chars().filter(|c| !c.is_whitespace()) {
            assert!(REGULAR.lookup_glyph_index(c as u32).is_some_and(|g| g != 0), "no glyph for {c}");
            assert!(BOLD.lookup_glyph_index(c as u32).is_some_and(|g| g != 0), "no bold glyph for {c}");
        }
    }

    fn sample_photo(w: u32, h: u32, shade: u8) -> Photo {
        let image = image::DynamicImage::ImageRgb8(image::ImageBuffer::from_fn(w, h, |x, y| {
            image::Rgb([shade, (x * 255 / w) as u8, (y * 255 / h) as u8])
        }));
        Photo { jpeg: std::sync::Arc::new(crate::media::photos::jpeg(&image).unwrap()), width: w, height: h }
    }

    pub fn sample(listings: usize, photos: usize) -> Brochure {
        let listing = |i: usize| Listing {
            title: format!("Sea-view flat {} in Łódź street, Altea", i + 1),
            reference: format!("ALT-{i:03}"),
            price: "€350,000".into(),
            kind: "Flat for sale".into(),
            place: "Altea, Casco Antiguo".into(),
            facts: vec![("Bedrooms".into(), "3".into()), ("Bathrooms".into(), "2".into()), ("Built area".into(), "120 m²".into()), ("Energy rating".into(), "B".into())],
            description: "A bright flat with a terrace over the bay. ".repeat(40),
            features: vec!["Terrace".into(), "Lift".into(), "Parking".into()],
            photos: (0..photos).map(|k| sample_photo(1600, 1067, (k * 40 % 256) as u8)).collect(),
            compared: COMPARED.iter().map(|c| format!("{c} {i}")).collect(),
        };
        Brochure {
            agency: "Costa Blanca Homes".into(),
            color: (0x1f, 0x5f, 0x8b),
            logo: None,
            client: Some("José Núñez".into()),
            agent: AgentCard { name: "Ελένη Zoë".into(), phone: Some("+34 600 000 000".into()), email: Some("elena@example.test".into()), whatsapp: Some("+34 600 000 000".into()) },
            share_url: "https://doorstep.example/p/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".into(),
            date: "26 November 2026".into(),
            paper: Paper::A4,
            listings: (0..listings).map(listing).collect(),
        }
    }

    #[test]
    fn renders_a_pdf() {
        for (listings, photos) in [(1, 10), (5, 3)] {
            let bytes = render(&sample(listings, photos));
            assert!(bytes.starts_with(b"%PDF-"));
            if let Ok(dir) = std::env::var("DOORSTEP_PDF_SAMPLES") {
                std::fs::write(format!("{dir}/sample-{listings}.pdf"), &bytes).unwrap();
            }
        }
    }

    #[test]
    fn brand_colours_parse_or_fall_back() {
        assert_eq!(color("#ff8000"), (255, 128, 0));
        assert_eq!(color("nonsense"), (0x1f, 0x5f, 0x8b));
    }
}
