//! The go-plugin transport seen from outside: the binary run by hand, the
//! handshake line, and mutual TLS that accepts exactly Terraform's client
//! certificate.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const COOKIE: (&str, &str) =
    ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");

#[test]
fn run_by_hand_it_says_what_it_is() {
    let out = Command::new(support::provider_bin()).env_remove(COOKIE.0).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("This binary is a plugin") && err.contains("Terraform"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn version_flag() {
    let out = Command::new(support::provider_bin()).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn refuses_protocol_5_only() {
    let out = Command::new(support::provider_bin())
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version 6"));
}

/// A client key and certificate like the ones Terraform makes (ECDSA
/// P-521, signed with SHA-512), made by OpenSSL: neither ring nor rcgen
/// make P-521 keys.
fn client_identity() -> (String, CertificateDer<'static>, P521Key) {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl").args(args).output().expect("openssl (installed by .ci/run)");
        assert!(o.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:secp521r1",
        "-sha512",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]);
    // The private scalar, as `openssl ec -text` prints it ("priv:" then hex
    // lines up to "pub:").
    let text = openssl(&["ec", "-in", key.to_str().unwrap(), "-noout", "-text"]);
    let hex: String = text
        .split("priv:")
        .nth(1)
        .and_then(|t| t.split("pub:").next())
        .unwrap()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let mut scalar: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    while scalar.len() > 66 && scalar[0] == 0 {
        scalar.remove(0);
    }
    let signing = p521::ecdsa::SigningKey::from_slice(&scalar).expect("a P-521 scalar");
    let pem = std::fs::read_to_string(&cert).unwrap();
    let der = cert_again(&pem);
    (pem, der, P521Key(Arc::new(signing)))
}

/// A P-521 key that signs TLS handshakes (ECDSA with SHA-512), as
/// Terraform's client does, through RustCrypto's `p521`.
#[derive(Clone)]
struct P521Key(Arc<p521::ecdsa::SigningKey>);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key")
    }
}

impl rustls::sign::SigningKey for P521Key {
    fn choose_scheme(&self, offered: &[rustls::SignatureScheme]) -> Option<Box<dyn rustls::sign::Signer>> {
        offered
            .contains(&rustls::SignatureScheme::ECDSA_NISTP521_SHA512)
            .then(|| Box::new(self.clone()) as Box<dyn rustls::sign::Signer>)
    }
    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        rustls::SignatureAlgorithm::ECDSA
    }
}

impl rustls::sign::Signer for P521Key {
    /// ECDSA over SHA-512 of the message, with a deterministic nonce (RFC
    /// 6979), as TLS asks of a P-521 key.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        use p521::ecdsa::signature::Signer as _;
        let sig: p521::ecdsa::Signature =
            self.0.try_sign(message).map_err(|e| rustls::Error::General(e.to_string()))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
    fn scheme(&self) -> rustls::SignatureScheme {
        rustls::SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

struct Plugin {
    child: Child,
    addr: String,
    server_cert: CertificateDer<'static>,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_plugin(client_pem: &str) -> Plugin {
    let mut child = Command::new(support::provider_bin())
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let parts: Vec<&str> = line.trim().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(&parts[..3], ["1", "6", "tcp"]);
    assert!(parts[3].starts_with("127.0.0.1:"));
    assert_eq!(parts[4], "grpc");
    let der = base64::engine::general_purpose::STANDARD_NO_PAD.decode(parts[5]).expect("cert is unpadded base64");
    Plugin { child, addr: parts[3].to_string(), server_cert: CertificateDer::from(der) }
}

/// Trusts exactly the certificate from the handshake line, as go-plugin's
/// client does (it puts that one certificate in its root pool; webpki would
/// refuse a CA certificate as the server's own, Go does not).
#[derive(Debug)]
struct PinnedServer {
    cert: CertificateDer<'static>,
    algs: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("not the pinned server certificate".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.algs)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.algs)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// Presents a certificate and signs the handshake with a key, without
/// checking that they belong together: how a client that copied Terraform's
/// certificate, but not its private key, would try.
#[derive(Debug)]
struct AnyKey(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for AnyKey {
    fn resolve(&self, _: &[&[u8]], _: &[rustls::SignatureScheme]) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

/// How the plugin answered a client.
#[derive(Debug, PartialEq)]
enum Answer {
    /// Its HTTP/2 SETTINGS frame: the connection was accepted.
    Served,
    /// The TLS handshake failed, or the server ended the connection (an
    /// alert, a close) before serving: a refusal.
    Refused(String),
    /// Nothing in 5 s: neither served nor refused, a failure of the test.
    Silence,
}

/// Connects with TLS and speaks the first bytes of HTTP/2.
async fn http2_answer(p: &Plugin, identity: Option<(CertificateDer<'static>, P521Key)>) -> Answer {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let pinned = PinnedServer { cert: p.server_cert.clone(), algs: provider.signature_verification_algorithms };
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(pinned));
    let mut config = match identity {
        Some((cert, key)) => {
            let certified = rustls::sign::CertifiedKey::new(vec![cert], Arc::new(key));
            builder.with_client_cert_resolver(Arc::new(AnyKey(Arc::new(certified))))
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = tokio::net::TcpStream::connect(&p.addr).await.expect("the plugin listens");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = match connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await {
        Ok(t) => t,
        Err(e) => return Answer::Refused(format!("handshake: {e}")),
    };
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]); // empty SETTINGS
    if let Err(e) = tls.write_all(&hello).await {
        return Answer::Refused(format!("write: {e}"));
    }
    let mut head = [0u8; 9];
    match tokio::time::timeout(std::time::Duration::from_secs(5), tls.read_exact(&mut head)).await {
        Ok(Ok(_)) if head[3] == 4 => Answer::Served, // frame type SETTINGS
        Ok(Ok(_)) => Answer::Refused(format!("not a SETTINGS frame: {head:?}")),
        Ok(Err(e)) => Answer::Refused(format!("read: {e}")),
        Err(_) => Answer::Silence,
    }
}

fn refused(a: &Answer) -> bool {
    matches!(a, Answer::Refused(_))
}

#[tokio::test]
async fn mtls_accepts_exactly_terraforms_certificate() {
    let (pem, cert, key) = client_identity();
    let plugin = start_plugin(&pem);
    let pinned = || Some((cert.clone(), key.clone()));

    // The positive control: this very client setup is served.
    assert_eq!(http2_answer(&plugin, pinned()).await, Answer::Served, "the pinned client certificate must be served");
    let none = http2_answer(&plugin, None).await;
    assert!(refused(&none), "a TLS client without a certificate must be refused: {none:?}");
    let (_, other_cert, other_key) = client_identity();
    let other = http2_answer(&plugin, Some((other_cert, other_key.clone()))).await;
    assert!(refused(&other), "another certificate must be refused: {other:?}");
    let forged = http2_answer(&plugin, Some((cert_again(&pem), other_key))).await;
    assert!(
        refused(&forged),
        "Terraform's certificate with a handshake signature of another key must be refused: {forged:?}"
    );
    // Refusing them did not take the plugin down.
    assert_eq!(http2_answer(&plugin, pinned()).await, Answer::Served);
}

#[tokio::test]
async fn plaintext_grpc_is_refused() {
    let (pem, cert, key) = client_identity();
    let plugin = start_plugin(&pem);
    // The positive control: the plugin serves a TLS client on this address.
    assert_eq!(http2_answer(&plugin, Some((cert.clone(), key.clone()))).await, Answer::Served);
    let mut tcp = tokio::net::TcpStream::connect(&plugin.addr).await.unwrap();
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
    let _ = tcp.write_all(&hello).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    // A TLS server answers plaintext with a TLS alert record (content type
    // 21) or closes the connection; never with HTTP/2.
    assert!(read.is_ok(), "the plaintext client got neither an answer nor a close");
    assert!(answer.is_empty() || answer[0] == 21, "a TLS alert or a close, not {answer:?}");
    assert_eq!(http2_answer(&plugin, Some((cert, key))).await, Answer::Served, "and the plugin still serves");
}

fn cert_again(pem: &str) -> CertificateDer<'static> {
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
}

#[test]
fn debug_mode_prints_reattach_value() {
    let mut child = Command::new(support::provider_bin())
        .arg("--debug")
        .env_remove(COOKIE.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    for _ in 0..4 {
        reader.read_line(&mut text).unwrap();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("TF_REATTACH_PROVIDERS='{\"registry.terraform.io/oomnitza/oomnitza\""), "{text}");
    assert!(text.contains("\"ProtocolVersion\":6"), "{text}");
    // Served on a Unix socket in a directory only this user can enter, never
    // on loopback TCP, where any local user could configure the provider.
    let json = text.split("TF_REATTACH_PROVIDERS='").nth(1).and_then(|t| t.split('\'').next()).unwrap();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let addr = &v["registry.terraform.io/oomnitza/oomnitza"]["Addr"];
    assert_eq!(addr["Network"], "unix", "{text}");
    let sock = std::path::PathBuf::from(addr["String"].as_str().unwrap());
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(sock.parent().unwrap()).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "socket directory mode {mode:o}");
}

/// Terraform SIGKILLed (the OOM killer, a CI timeout) cannot stop its
/// provider; the provider notices its parent is gone and exits within a
/// second instead of running on, re-parented.
#[test]
fn exits_when_terraform_is_killed() {
    // A shell stands in for Terraform: it starts the provider, then is killed.
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let mut shell = Command::new("sh")
        .arg("-c")
        .arg(format!("{} & echo $! > {}; wait", support::provider_bin().display(), pidfile.display()))
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(support::eventually(|| std::fs::read_to_string(&pidfile).is_ok_and(|p| p.ends_with('\n'))));
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    let alive = || {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
    };
    // Running, and still running while its parent lives.
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert!(alive(), "the provider should serve while Terraform lives");
    shell.kill().unwrap();
    shell.wait().unwrap();
    let gone = support::eventually_within(std::time::Duration::from_secs(3), || !alive());
    if !gone {
        let _ = Command::new("kill").arg("-9").arg(&pid).status();
    }
    assert!(gone, "the provider outlived Terraform's death");
}
