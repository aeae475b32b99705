//! An uploaded photo becomes two JPEGs: a display image and a thumbnail. Whatever the file
//! is called, it is decoded to prove it is a JPEG, PNG or WebP; it is turned upright by its
//! orientation tag; re-encoding drops every piece of metadata, the location with it.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::error::AppError;

/// What one upload may weigh: a phone's full-size photo with room to spare.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;
/// Phones take up to 50-megapixel photos; larger ones are refused before decoding.
pub const MAX_MEGAPIXELS: u64 = 50;
/// The most memory one decoded photo may take: a 50-megapixel photo in 8-bit RGB, as phones
/// and cameras write JPEGs. Transparent or 16-bit images are held to it too, so a small PNG
/// that unpacks to gigabytes is refused from its header, before anything is decoded.
pub const MAX_DECODED_BYTES: u64 = MAX_MEGAPIXELS * 1_000_000 * 3 + 8 * 1024 * 1024;
/// One image is decoded at a time (photos and logos): each may take up to
/// [`MAX_DECODED_BYTES`], and the server's memory is bounded by one, not by how many arrive
/// together.
pub static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
/// The longest side of the display image: sharp on a phone and on an A4 page.
pub const DISPLAY_SIDE: u32 = 1600;
pub const THUMB_SIDE: u32 = 400;
const QUALITY: u8 = 82;

/// A photo ready to store.
#[derive(Debug)]
pub struct Processed {
    pub display: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::field("photo", message)
}

/// Checks, turns and resizes one upload; every refusal says what to do instead.
pub fn process(bytes: &[u8]) -> Result<Processed, AppError> {
    let (image, orientation) = decode(bytes)?;
    // Shrunk before it is turned: turning the full-size image would hold two copies of it.
    let mut display = shrunk(image, DISPLAY_SIDE);
    display.apply_orientation(orientation);
    let thumb = shrunk(display.clone(), THUMB_SIDE);
    Ok(Processed { width: display.width(), height: display.height(), display: jpeg(&display)?, thumb: jpeg(&thumb)? })
}

/// The image in an upload and how to turn it upright, or why it is refused.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, image::metadata::Orientation), AppError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(refuse(crate::language::t_with("properties-photo-file-too-large", &[("mb", (bytes.len() / (1024 * 1024)).into()), ("max", (MAX_UPLOAD_BYTES / (1024 * 1024)).into())])));
    }
    let format = image::guess_format(bytes).ok().filter(|f| matches!(f, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP));
    let Some(format) = format else {
        return Err(refuse(crate::language::t("properties-file-is-not-a-photo")));
    };
    // A JPEG cut short in transfer still decodes to a grey lower half; its missing end
    // marker gives it away.
    if format == ImageFormat::Jpeg && !ends_like_jpeg(bytes) {
        return Err(refuse(crate::language::t("properties-photo-is-cut-short")));
    }
    let damaged = |_| refuse(crate::language::t("properties-photo-is-damaged"));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_MEGAPIXELS * 1_000_000 {
        return Err(refuse(crate::language::t_with("properties-photo-too-many-pixels", &[("width", w.into()), ("height", h.into()), ("max", MAX_MEGAPIXELS.into())])));
    }
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(refuse(crate::language::t_with("properties-photo-too-deep", &[("width", w.into()), ("height", h.into()), ("bits", i64::from(decoder.color_type().bits_per_pixel()).into()), ("mb", (decoder.total_bytes() / (1024 * 1024)).into())])));
    }
    let orientation = decoder.orientation().map_err(damaged)?;
    let image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    Ok((image, orientation))
}

/// A logo: checked like a photo, at most 600 pixels on its longest side, on white where it
/// was transparent.
pub fn logo(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    let (image, orientation) = decode(bytes).map_err(|err| match err {
        AppError::Validation(fields) => AppError::field("logo", fields.into_values().next().unwrap_or_default()),
        other => other,
    })?;
    let mut image = shrunk(image, 600);
    image.apply_orientation(orientation);
    if image.color().has_alpha() {
        let mut rgba = image.to_rgba8();
        for px in rgba.pixels_mut() {
            let a = u16::from(px[3]);
            for c in 0..3 {
                px[c] = ((u16::from(px[c]) * a + 255 * (255 - a)) / 255) as u8;
            }
            px[3] = 255;
        }
        image = DynamicImage::ImageRgba8(rgba);
    }
    jpeg(&shrunk(image, 600))
}

/// 128 random bits in hex: names for stored files that nobody can guess or collide with.
pub fn random_name() -> String {
    use rand::TryRng;
    let mut bytes = [0u8; 16];
    rand::rngs::SysRng.try_fill_bytes(&mut bytes).expect("the system's random numbers");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The image with its longest side at most `side`; a smaller one is kept as it is.
fn shrunk(image: DynamicImage, side: u32) -> DynamicImage {
    if image.width().max(image.height()) <= side { image } else { image.thumbnail(side, side) }
}

/// A JPEG ends with the EOI marker, perhaps followed by padding.
fn ends_like_jpeg(bytes: &[u8]) -> bool {
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    end >= 2 && bytes[end - 2..end] == [0xFF, 0xD9]
}

/// Baseline JPEG of the RGB pixels: no EXIF, no location, nothing but the picture.
pub fn jpeg(image: &DynamicImage) -> Result<Vec<u8>, AppError> {
    let rgb = image.to_rgb8();
    let mut out = Vec::with_capacity((rgb.width() * rgb.height() / 4) as usize);
    JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(&rgb).map_err(|err| {
        tracing::error!(error = %err, "encoding a JPEG");
        AppError::Internal
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn sample(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128])))
    }

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn message(err: AppError) -> String {
        match err {
            AppError::Validation(fields) => fields["photo"].clone(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn photos_are_resized_once_to_display_and_thumbnail() {
        let done = process(&encoded(&sample(2400, 1800), ImageFormat::Png)).unwrap();
        assert_eq!((done.width, done.height), (1600, 1200));
        let thumb = image::load_from_memory(&done.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 300));
        assert_eq!(image::guess_format(&done.display).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn small_photos_are_not_enlarged() {
        let done = process(&encoded(&sample(800, 600), ImageFormat::Jpeg)).unwrap();
        assert_eq!((done.width, done.height), (800, 600));
    }

    #[test]
    fn text_renamed_to_jpg_is_refused() {
        assert!(message(process(b"Just a note, renamed to house.jpg").unwrap_err()).contains("not a photo"));
    }

    #[test]
    fn a_truncated_jpeg_is_refused() {
        let whole = encoded(&sample(640, 480), ImageFormat::Jpeg);
        let cut = &whole[..whole.len() / 2];
        assert!(message(process(cut).unwrap_err()).contains("cut short"));
    }

    #[test]
    fn too_many_pixels_are_refused_before_decoding() {
        // A PNG header claiming 10000×6000 (60 megapixels): refused on the header alone.
        let mut png = encoded(&sample(10, 6), ImageFormat::Png);
        png[16..20].copy_from_slice(&10000u32.to_be_bytes());
        png[20..24].copy_from_slice(&6000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(message(process(&png).unwrap_err()).contains("50 megapixels"));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
