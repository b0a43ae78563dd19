//! AutoMTLS as go-plugin does it: the server makes a fresh self-signed
//! certificate at each start and sends it in the handshake line; Terraform
//! passes its own client certificate in `PLUGIN_CLIENT_CERT`, and the server
//! accepts exactly that certificate and no other.

use std::sync::Arc;

use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCert,
    #[error("could not make the server certificate: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server side of AutoMTLS, in the order a start needs it: the
/// certificate for the handshake line first, the TLS configuration (which
/// nothing needs before Terraform connects) after the line is out.
pub struct ServerCert {
    /// Terraform's client certificate, the only one accepted.
    pinned: CertificateDer<'static>,
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

/// Accepts one client certificate, byte for byte, and checks that the client
/// holds its private key (the handshake signature, verified by rustls).
#[derive(Debug)]
struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algs: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

/// ECDSA P-521 with SHA-512, the signature of Terraform's client key, which
/// ring does not offer: verified with RustCrypto's `p521`. webpki finds the
/// key in the certificate and calls this with its SEC1 bytes.
#[derive(Debug)]
struct EcdsaP521Sha512;

impl rustls_pki_types::SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), rustls_pki_types::InvalidSignature> {
        use p521::ecdsa::signature::Verifier as _;
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| rustls_pki_types::InvalidSignature)?;
        let sig = p521::ecdsa::Signature::from_der(signature).map_err(|_| rustls_pki_types::InvalidSignature)?;
        key.verify(message, &sig).map_err(|_| rustls_pki_types::InvalidSignature)
    }

    fn public_key_alg_id(&self) -> rustls_pki_types::AlgorithmIdentifier {
        rustls_pki_types::alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> rustls_pki_types::AlgorithmIdentifier {
        rustls_pki_types::alg_id::ECDSA_SHA512
    }
}

/// The client signatures the server accepts: ring's, and P-521 (Terraform's).
static CLIENT_SIGNATURES: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        webpki::ring::ECDSA_P256_SHA256,
        webpki::ring::ECDSA_P384_SHA384,
        &EcdsaP521Sha512,
        webpki::ring::ED25519,
        webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    ],
    mapping: &[
        (SignatureScheme::ECDSA_NISTP521_SHA512, &[&EcdsaP521Sha512]),
        (SignatureScheme::ECDSA_NISTP384_SHA384, &[webpki::ring::ECDSA_P384_SHA384]),
        (SignatureScheme::ECDSA_NISTP256_SHA256, &[webpki::ring::ECDSA_P256_SHA256]),
        (SignatureScheme::ED25519, &[webpki::ring::ED25519]),
        (SignatureScheme::RSA_PSS_SHA256, &[webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY]),
        (SignatureScheme::RSA_PKCS1_SHA256, &[webpki::ring::RSA_PKCS1_2048_8192_SHA256]),
    ],
};

/// ring for the server side: it starts in microseconds, where aws-lc-rs
/// spent ~30 ms of every provider start initialising itself.
fn crypto() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl ServerCert {
    /// Reads the client certificate Terraform sent (PEM) and makes a fresh
    /// self-signed server certificate.
    pub fn new(client_cert_pem: &str) -> Result<Self, TlsError> {
        let pinned = CertificateDer::pem_slice_iter(client_cert_pem.as_bytes())
            .next()
            .and_then(Result::ok)
            .ok_or(TlsError::NoClientCert)?;

        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
        params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
        params.distinguished_name.push(rcgen::DnType::OrganizationName, "terraform-provider-oomnitza");
        // go-plugin's client puts this certificate in its root pool and checks
        // the server against it, so it is its own CA.
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages =
            vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::days(1);
        let cert = params.self_signed(&key)?;
        Ok(ServerCert {
            pinned: pinned.into_owned(),
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The server certificate as the handshake line carries it (base64 of
    /// the DER, standard alphabet, no padding).
    pub fn handshake_field(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.cert.as_ref())
    }

    /// The server TLS configuration: this certificate, and Terraform's as
    /// the only client accepted.
    pub fn config(self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let verifier = PinnedClientCert { pinned: self.pinned, algs: CLIENT_SIGNATURES };
        let mut config = rustls::ServerConfig::builder_with_provider(crypto())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(vec![self.cert], PrivateKeyDer::Pkcs8(self.key))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::SignatureVerificationAlgorithm as _;

    #[test]
    fn p521_signatures_verify_and_forgeries_do_not() {
        use p521::ecdsa::signature::Signer as _;
        // A P-521 scalar is 66 bytes whose first is at most 1.
        let scalar = |fill: u8| std::iter::once(0).chain(std::iter::repeat_n(fill, 65)).collect::<Vec<u8>>();
        let key = p521::ecdsa::SigningKey::from_slice(&scalar(7)).expect("a valid scalar");
        let public = p521::ecdsa::VerifyingKey::from(&key).to_sec1_point(false);
        // Deterministic (RFC 6979), over the SHA-512 digest, as in TLS.
        let sig: p521::ecdsa::Signature = key.sign(b"handshake transcript");
        let der = sig.to_der();
        let alg = EcdsaP521Sha512;
        assert!(alg.verify_signature(public.as_bytes(), b"handshake transcript", der.as_bytes()).is_ok());
        assert!(alg.verify_signature(public.as_bytes(), b"another transcript", der.as_bytes()).is_err());
        let other = p521::ecdsa::SigningKey::from_slice(&scalar(9)).expect("a valid scalar");
        let other_public = p521::ecdsa::VerifyingKey::from(&other).to_sec1_point(false);
        assert!(alg.verify_signature(other_public.as_bytes(), b"handshake transcript", der.as_bytes()).is_err());
        assert!(alg.verify_signature(b"not a key", b"handshake transcript", der.as_bytes()).is_err());
    }
}
