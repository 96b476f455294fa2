//! The one HTTP request `verify` makes: a GET on the published port, for its status.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// The status of `GET path` on `127.0.0.1:port`, or `None` when nothing
/// answers with an HTTP status line within `timeout`.
pub(super) fn status(port: u16, path: &str, timeout: Duration) -> Option<u16> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: flaskdock-verify\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 32];
    let mut read = 0;
    while read < head.len() {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    status_of(&head[..read])
}

/// `HTTP/1.1 200 OK` -> 200.
fn status_of(head: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(head).ok()?;
    let mut words = text.split_whitespace();
    words.next()?.starts_with("HTTP/").then_some(())?;
    words.next()?.parse().ok()
}

/// A port on 127.0.0.1 that nothing listens on now.
pub(super) fn free_port() -> Option<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).ok()?;
    listener.local_addr().ok().map(|a| a.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_of_a_server_and_nothing_of_a_closed_port() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 256];
            let n = stream.read(&mut request).unwrap();
            let request = String::from_utf8_lossy(&request[..n]).into_owned();
            stream
                .write_all(b"HTTP/1.1 302 FOUND\r\nLocation: /login\r\n\r\n")
                .unwrap();
            request
        });
        assert_eq!(status(port, "/health", Duration::from_secs(5)), Some(302));
        assert!(
            server
                .join()
                .unwrap()
                .starts_with("GET /health HTTP/1.0\r\n")
        );
        let closed = free_port().unwrap();
        assert_eq!(status(closed, "/", Duration::from_secs(1)), None);
        assert_eq!(status_of(b"SSH-2.0-OpenSSH"), None);
    }
}
