//! `--tls-cert-out FILE`: the simulator served over HTTPS, as an Oomnitza
//! behind TLS inspection would be: a leaf certificate for 127.0.0.1 signed by
//! a CA made at start-up, whose PEM goes to FILE. Clients that do not trust
//! that CA must refuse the connection; those given the file must not.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A TLS server configuration and the PEM of the CA that signed it.
pub fn server_config() -> Result<(Arc<rustls::ServerConfig>, String), String> {
    let err = |e: rcgen::Error| e.to_string();
    let ca_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.distinguished_name.push(rcgen::DnType::CommonName, "oomnitza-sim test CA");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = rcgen::Issuer::new(ca, ca_key);

    let leaf_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut leaf =
        // `oomnitza.test` (a name that never resolves) is for reaching the
        // simulator through a proxy as a remote instance is reached.
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string(), PROXIED_HOST.to_string()])
            .map_err(err)?;
    leaf.distinguished_name.push(rcgen::DnType::CommonName, "oomnitza-sim");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(err)?;

    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![leaf_cert.der().clone()], key)
        .map_err(|e| e.to_string())?;
    Ok((Arc::new(config), ca_cert.pem()))
}

/// The host name the TLS simulator's certificate also holds: not loopback,
/// so a client sends it through its proxy, which maps it to the simulator.
pub const PROXIED_HOST: &str = "oomnitza.test";

/// A listener whose connections have passed the TLS handshake; those that
/// fail it (a client that does not trust the CA) are dropped.
pub struct TlsListener {
    pub tcp: TcpListener,
    pub acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else { continue };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
