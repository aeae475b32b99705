//! Photos in an S3-compatible bucket: two Doorstep servers with their own data directories
//! share one bucket, so a photo stored through one is served by the other.
//! `scripts/test.sh` starts the local S3 server and sets DOORSTEP_TEST_S3_ENDPOINT.

use crate::common;

use std::io::{Read, Write};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use serde_json::Value;

/// Makes a bucket on the S3 server (plain HTTP; the local server takes it unsigned).
fn make_bucket(endpoint: &str, bucket: &str) {
    let host = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("the S3 server answers");
    write!(stream, "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "making the bucket: {answer}");
}

#[tokio::test]
async fn servers_sharing_a_bucket_serve_each_others_photos() {
    let Ok(endpoint) = std::env::var("DOORSTEP_TEST_S3_ENDPOINT") else {
        eprintln!("skipped: DOORSTEP_TEST_S3_ENDPOINT is not set (scripts/test.sh sets it)");
        return;
    };
    let bucket = format!("doorstep-test-{:08x}", rand::random::<u32>());
    make_bucket(&endpoint, &bucket);
    let on_s3 = |c: &mut doorstep::Config| {
        c.s3_bucket = Some(bucket.clone());
        c.s3_endpoint = Some(endpoint.clone());
    };
    let first = TestApp::configured(on_s3).await;
    let second = TestApp::configured(on_s3).await;
    first.set_up().await;
    let key = app::apikeys::service::create(&first.state.db, "Feed", "admin").await.unwrap().key;
    let listing = serde_json::json!({"reference": "S3-1", "title": "Flat", "operation": "sale", "property_type": "flat", "price": "300000", "city": "Altea"}).to_string();
    let made = first
        .send(
            Request::post("/api/v1/properties")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .body(Body::from(listing))
                .unwrap(),
        )
        .await;
    let id = serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap();

    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::ImageBuffer::from_fn(800, 600, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 60])))
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let boundary = "s3boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n").into_bytes();
    body.extend_from_slice(&jpeg.into_inner());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let uploaded = first
        .send(
            Request::post(format!("/api/v1/properties/{id}/photos"))
                .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let photo: Value = serde_json::from_str(&uploaded.body).unwrap();
    let url = photo["photos"][0]["url"].as_str().unwrap().to_owned();

    // Nothing on either server's disk; the other server serves it from the bucket.
    assert!(!first.config.data_dir.join("media").exists(), "stored in the bucket, not on disk");
    let served = second.get(&url, None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(image::load_from_memory(&served.raw).unwrap().width(), 800);

    // Removed through the first: gone from the second too.
    let admin = first.admin_cookie_again().await;
    let photo_id = photo["photos"][0]["id"].as_i64().unwrap();
    let left = first.call("/api/photos/delete", &format!("id={photo_id}"), Some(&admin)).await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    assert_eq!(second.get(&url, None).await.status, StatusCode::NOT_FOUND);
}
