//! Network stand-ins a user's network has: a forward proxy, and a login
//! page in front of a wrong url.

/// A forward proxy on loopback, as a corporate network has: it tunnels
/// `CONNECT host:port` (https) and forwards absolute-form requests (http),
/// only to loopback (`oomnitza.test:PORT` is taken as 127.0.0.1:PORT: a
/// remote host, for a client, that only the proxy can reach), and counts
/// the connections it carried.
pub struct Proxy {
    pub url: String,
    pub connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    pub fn start() -> Proxy {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = connections.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut client = client;
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                        head.push(byte[0]);
                    }
                    let text = String::from_utf8_lossy(&head).to_string();
                    let target = text.split_whitespace().nth(1).unwrap_or_default().to_string();
                    let connect = text.starts_with("CONNECT ");
                    let authority = if connect {
                        target.clone()
                    } else {
                        target.trim_start_matches("http://").split('/').next().unwrap_or_default().to_string()
                    };
                    let authority = authority.replacen("oomnitza.test:", "127.0.0.1:", 1);
                    if !authority.starts_with("127.0.0.1:") {
                        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n");
                        return;
                    }
                    let Ok(mut upstream) = std::net::TcpStream::connect(&authority) else { return };
                    if connect {
                        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                    } else {
                        let _ = upstream.write_all(&head);
                    }
                    let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut u2, &mut c2);
                        let _ = c2.shutdown(std::net::Shutdown::Write);
                    });
                    let _ = std::io::copy(&mut client, &mut upstream);
                    let _ = upstream.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Proxy { url, connections }
    }

    pub fn carried(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A server on loopback that answers every request with an HTML login
/// page, as a proxy or SSO page in front of a wrong url would; its URL.
pub fn login_page() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let page = "<html><body>Sign in</body></html>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    url
}

/// A server on loopback that answers every request with what `answer`
/// makes of it (the whole request as text: head and body), and records
/// every request it saw, for "that host saw nothing" and echo tests.
pub struct Hostile {
    pub url: String,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Hostile {
    pub fn start(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> Hostile {
        let answer = std::sync::Arc::new(answer);
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind hostile server");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                let answer = answer.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    // The head, then as much body as Content-Length says.
                    while let Ok(n) = stream.read(&mut chunk) {
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&buf).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let len = text[..end]
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            if buf.len() >= end + 4 + len {
                                break;
                            }
                        }
                    }
                    let request = String::from_utf8_lossy(&buf).to_string();
                    log.lock().unwrap().push(request.clone());
                    let _ = stream.write_all(answer(&request).as_bytes());
                });
            }
        });
        Hostile { url, seen }
    }

    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// An HTTP/1.1 answer with `status` (such as "400 Bad Request"), content
/// type and body.
pub fn answer(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
