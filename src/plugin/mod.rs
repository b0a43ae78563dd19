//! The go-plugin transport Terraform launches providers with: the magic
//! cookie, protocol negotiation, the handshake line, AutoMTLS, and the gRPC
//! services Terraform's plugin host calls (the provider, the controller,
//! stdio and health).

mod convert;

/// The generated protobuf types, private to the plugin layer: the
/// compiler keeps everything else free of gRPC.
mod proto {
    /// Generated from `proto/tfplugin6.proto`.
    #[allow(clippy::all, clippy::pedantic, dead_code)]
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }

    /// Generated from `proto/go_plugin.proto`.
    #[allow(clippy::all, clippy::pedantic, dead_code)]
    pub mod goplugin {
        tonic::include_proto!("plugin");
    }
}

pub mod grpc;
pub mod log;
pub mod tls;

use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};
use tracing::{debug, info};

use self::proto::goplugin;
use self::proto::tfplugin6::provider_server::ProviderServer;
use crate::framework::Provider;

/// go-plugin's handshake cookie for Terraform providers.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only plugin protocol version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own handshake version (the first field of the line).
const CORE_PROTOCOL_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "This binary is a plugin. These are not meant to be executed directly.\n\
         It is a Terraform provider: Terraform starts it when a configuration uses\n\
         the oomnitza provider. See the README for how to use a local build."
    )]
    NotLaunchedByTerraform,
    #[error("Terraform offered plugin protocol versions {0:?}, but this provider speaks only version 6 (Terraform 1.0 or newer)")]
    NoCommonProtocol(String),
    #[error("could not listen on loopback: {0}")]
    Listen(std::io::Error),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("gRPC server: {0}")]
    Grpc(#[from] tonic::transport::Error),
}

/// How the process was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Launched by Terraform: cookie, handshake line, mTLS.
    Managed,
    /// `--debug`: no cookie, no TLS, on a Unix socket in a directory only
    /// this user can enter (as go-plugin does): no other local user can
    /// configure the provider with a url of theirs. Prints
    /// `TF_REATTACH_PROVIDERS`.
    Debug,
}

/// Checks the cookie and the offered protocol versions. Done before any
/// runtime is built, so a person who runs the binary by hand gets a plain
/// sentence at once.
pub fn preflight() -> Result<(), ServeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotLaunchedByTerraform);
    }
    if let Ok(offered) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        let ok = offered.split(',').any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
        if !ok && !offered.trim().is_empty() {
            return Err(ServeError::NoCommonProtocol(offered));
        }
    }
    Ok(())
}

/// Binds a loopback port, inside `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when
/// Terraform sets them.
fn listen() -> Result<std::net::TcpListener, ServeError> {
    use std::net::TcpListener;
    let min = std::env::var("PLUGIN_MIN_PORT").ok().and_then(|v| v.parse::<u16>().ok());
    let max = std::env::var("PLUGIN_MAX_PORT").ok().and_then(|v| v.parse::<u16>().ok());
    if let (Some(min), Some(max)) = (min, max) {
        if min > 0 && min <= max {
            let mut last = None;
            for port in min..=max {
                match TcpListener::bind(("127.0.0.1", port)) {
                    Ok(l) => return Ok(l),
                    Err(e) => last = Some(e),
                }
            }
            return Err(ServeError::Listen(last.unwrap_or_else(|| std::io::Error::other("no free port in range"))));
        }
    }
    TcpListener::bind(("127.0.0.1", 0)).map_err(ServeError::Listen)
}

/// A start whose first step is done: launched by Terraform, the port is
/// bound and the handshake line is out.
pub enum Started {
    /// Launched by Terraform: the bound port, and the certificate the
    /// handshake line carried (none when Terraform asked for no TLS).
    Managed { listener: std::net::TcpListener, tls: Option<tls::ServerCert> },
    /// `--debug`: nothing is announced until the runtime is up.
    Debug,
}

/// The part of a start Terraform waits for, done first and on its own,
/// before the runtime, the logger, the schemas or the TLS configuration:
/// the certificate, the port, and the handshake line. Terraform, once it
/// has the line, dials and sets up its side while the provider builds the
/// rest, and its connection waits in the listen queue until the server
/// accepts it.
pub fn announce(mode: Mode) -> Result<Started, ServeError> {
    if mode == Mode::Debug {
        return Ok(Started::Debug);
    }
    let tls = match std::env::var("PLUGIN_CLIENT_CERT").ok().filter(|c| !c.trim().is_empty()) {
        Some(pem) => Some(tls::ServerCert::new(&pem)?),
        None => None,
    };
    let listener = listen()?;
    let addr: SocketAddr = listener.local_addr().map_err(ServeError::Listen)?;
    let cert_field = tls.as_ref().map(tls::ServerCert::handshake_field).unwrap_or_default();
    // The handshake line: core version | app protocol | network | address | protocol | cert
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert_field}");
    let _ = out.flush();
    Ok(Started::Managed { listener, tls })
}

/// Where the server listens: loopback TCP (launched by Terraform, with
/// mTLS) or a private Unix socket (`--debug`).
enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

/// A private Unix socket for `--debug`: in a fresh directory of mode 0700,
/// removed when the process ends normally.
fn debug_socket() -> Result<(UnixListener, std::path::PathBuf), ServeError> {
    use std::os::unix::fs::DirBuilderExt as _;
    let dir = std::env::temp_dir().join(format!(
        "terraform-provider-oomnitza-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::DirBuilder::new().mode(0o700).create(&dir).map_err(ServeError::Listen)?;
    let path = dir.join("plugin.sock");
    let listener = UnixListener::bind(&path).map_err(ServeError::Listen)?;
    Ok((listener, path))
}

/// A connection as tonic serves it: TLS or plain TCP, or a Unix socket.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    Unix(UnixStream),
}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Conn::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Conn::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Conn::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Conn::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Accepts connections, completing the TLS handshake (when configured)
/// off the accept loop, and hands finished connections to tonic.
fn incoming(
    listener: Listener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: CancellationToken,
) -> ReceiverStream<std::io::Result<Conn>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                a = async {
                    match &listener {
                        Listener::Tcp(l) => l.accept().await.map(|(s, peer)| Ok((s, peer))),
                        Listener::Unix(l) => l.accept().await.map(|(s, _)| Err(s)),
                    }
                } => a,
            };
            let (stream, peer) = match accepted {
                Ok(Ok(a)) => a,
                Ok(Err(unix)) => {
                    let _ = tx.send(Ok(Conn::Unix(unix))).await;
                    continue;
                }
                Err(e) => {
                    debug!(error = %e, "accept failed");
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let tx = tx.clone();
            match &tls {
                None => {
                    let _ = tx.send(Ok(Conn::Plain(stream))).await;
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match acceptor.accept(stream).await {
                            Ok(s) => {
                                let _ = tx.send(Ok(Conn::Tls(Box::new(s)))).await;
                            }
                            Err(e) => {
                                info!(%peer, error = %e, "refused a connection that failed mutual TLS")
                            }
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

/// go-plugin's controller: `Shutdown` ends the process cleanly.
struct Controller(CancellationToken);

#[tonic::async_trait]
impl goplugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<goplugin::Empty>) -> Result<Response<goplugin::Empty>, Status> {
        debug!("Terraform asked the plugin to shut down");
        self.0.cancel();
        Ok(Response::new(goplugin::Empty {}))
    }
}

/// go-plugin's stdio stream. Everything this provider says goes to stderr as
/// log lines, so the stream ends at once and the host stops listening.
struct Stdio;

#[tonic::async_trait]
impl goplugin::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = tokio_stream::Empty<Result<goplugin::StdioData, Status>>;
    async fn stream_stdio(&self, _: Request<()>) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(tokio_stream::empty()))
    }
}

/// Serves `provider` until Terraform shuts it down.
pub async fn serve<P: Provider>(provider: P, started: Started) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;

    let server = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(goplugin::grpc_controller_server::GrpcControllerServer::new(Controller(shutdown.clone())))
        .add_service(goplugin::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(ProviderServer::new(grpc::ProviderService::new(provider)));

    let (listener, acceptor, socket) = match started {
        Started::Managed { listener, tls } => {
            let acceptor = match tls {
                Some(cert) => Some(tokio_rustls::TlsAcceptor::from(cert.config()?)),
                None => None,
            };
            listener.set_nonblocking(true).map_err(ServeError::Listen)?;
            let listener = TcpListener::from_std(listener).map_err(ServeError::Listen)?;
            // Ctrl-C goes to the whole process group; Terraform answers it
            // with StopProvider, so the plugin itself must not die of it.
            tokio::spawn(async {
                while tokio::signal::ctrl_c().await.is_ok() {
                    debug!("interrupt received; waiting for Terraform to stop the provider");
                }
            });
            watch_parent();
            let addr = listener.local_addr().map_err(ServeError::Listen)?;
            info!(%addr, tls = acceptor.is_some(), "serving plugin protocol 6");
            (Listener::Tcp(listener), acceptor, None)
        }
        Started::Debug => {
            let (listener, path) = debug_socket()?;
            let reattach = serde_json::json!({
                crate::PROVIDER_ADDRESS: {
                    "Protocol": "grpc",
                    "ProtocolVersion": PROTOCOL_VERSION,
                    "Pid": std::process::id(),
                    "Test": true,
                    "Addr": { "Network": "unix", "String": path.display().to_string() }
                }
            });
            println!("Provider started in debug mode. To attach Terraform, set in your shell:\n");
            println!("\tTF_REATTACH_PROVIDERS='{reattach}'\n");
            println!("Press Ctrl-C to stop.");
            let s = shutdown.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                s.cancel();
            });
            info!(socket = %path.display(), "serving plugin protocol 6 for a debugger");
            (Listener::Unix(listener), None, Some(path))
        }
    };

    let stream = incoming(listener, acceptor, shutdown.clone());
    let stop = shutdown.clone();
    let served = server.serve_with_incoming_shutdown(stream, async move { stop.cancelled().await }).await;
    if let Some(path) = socket {
        let _ = std::fs::remove_file(&path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    served?;
    Ok(())
}

/// Ends the process within a second of Terraform's death. Terraform stops
/// its providers when it exits; killed (the OOM killer, a CI timeout), it
/// cannot, and the provider, re-parented, would run on for ever. Nothing
/// is lost by exiting: an in-flight create's journal entry is already on
/// disk for the next run to name.
fn watch_parent() {
    let parent = std::os::unix::process::parent_id();
    std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            if std::os::unix::process::parent_id() != parent {
                tracing::warn!("Terraform exited without stopping the provider; exiting");
                std::process::exit(1);
            }
        })
        .ok();
}
