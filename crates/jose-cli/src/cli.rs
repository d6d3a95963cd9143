//! The command line, as clap sees it. Every value that has a fixed set of spellings (algorithm
//! names, curves, key sizes, formats) is checked here, so a bad value is a clap usage error.

use crate::replay::{self, ReplayStoreArgs};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use jose::{ContentEncryption, EcCurve, JwsAlgorithm, KeyManagementAlgorithm, OkpCurve};
use std::path::PathBuf;

/// `jose`: keys, JWS and JWE from a shell.
#[derive(Debug, Parser)]
#[command(
    name = "jose",
    version,
    about = "JOSE from a shell: keys, JWK, JWS and JWE",
    long_about = None,
    arg_required_else_help = false,
    subcommand_required = true
)]
pub(crate) struct Cli {
    /// The crypto provider to use.
    #[arg(long, global = true, value_enum, default_value_t = ProviderName::AwsLc)]
    pub(crate) provider: ProviderName,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// A compiled-in crypto provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProviderName {
    /// aws-lc-rs (the default).
    #[value(name = "aws-lc")]
    AwsLc,
    /// RustCrypto (pure Rust).
    #[value(name = "rustcrypto")]
    RustCrypto,
}

impl ProviderName {
    /// The name the provider reports (`CryptoProvider::name`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            ProviderName::AwsLc => "aws-lc",
            ProviderName::RustCrypto => "rustcrypto",
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a key pair.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Keygen(KeygenCommand),
    /// Convert keys to JWK and compute thumbprints.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Jwk(JwkCommand),
    /// Encrypt and decrypt (JSON Web Encryption).
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Jwe(JweCommand),
    /// Sign and verify (JSON Web Signature).
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Jws(JwsCommand),
    /// JSON Web Tokens (RFC 7519, validated per RFC 8725): sign, verify, client assertions.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Jwt(JwtCommand),
    /// DPoP proofs (RFC 9449): make one for a request, verify one.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Dpop(DpopCommand),
    /// Leap RaaS Request4R: encrypt and decrypt payloads, map routes.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Request4r(crate::request4r::Request4rCommand),
    /// TrueLayer request signing v2: sign and verify Tl-Signature headers.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Truelayer(crate::truelayer::TruelayerCommand),
    /// Klarna XS2A secure communication: seal and open JWS-in-JWE bodies, map routes.
    #[command(subcommand, arg_required_else_help = false, subcommand_required = true)]
    Klarna(crate::klarna::KlarnaCommand),
    /// 4Quays protect/unprotect: the HTTP service, an example config, in-process or remote calls.
    #[command(
        name = "4quays",
        subcommand,
        arg_required_else_help = false,
        subcommand_required = true
    )]
    FourQuays(crate::fourquays::FourQuaysCommand),
    /// Generate keys in memory and run every capability end to end.
    Demo,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeygenCommand {
    /// An RSA key pair (exponent 65537).
    Rsa(KeygenRsaArgs),
    /// An EC key pair.
    Ec(KeygenEcArgs),
    /// An octet key pair (RFC 8037): Ed25519 for EdDSA, X25519 for ECDH-ES.
    Okp(KeygenOkpArgs),
    /// A shared secret as a JWK (kty "oct"): for HS256/384/512, dir, A*KW and A*GCMKW.
    Oct(KeygenOctArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KeygenOctArgs {
    /// Size in bits: 128, 192, 256, 384 or 512 (HS256 needs 256, HS384 384, HS512 512; A128KW
    /// 128, A192KW 192, A256KW 256; dir the enc's key: 128/192/256 for GCM, 256/384/512 for
    /// CBC-HS).
    #[arg(long, value_parser = parse_oct_bits)]
    pub(crate) bits: usize,
    /// Key id to record in the JWK.
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// Where to write the JWK (mode 0600 on Unix).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenRsaArgs {
    /// Modulus size in bits: 2048, 3072 or 4096.
    #[arg(long, default_value = "2048", value_parser = parse_bits)]
    pub(crate) bits: usize,
    #[command(flatten)]
    pub(crate) out: KeygenOutput,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenEcArgs {
    /// The curve: P-256, P-384 or P-521.
    #[arg(long, value_parser = parse_curve)]
    pub(crate) curve: EcCurve,
    #[command(flatten)]
    pub(crate) out: KeygenOutput,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenOkpArgs {
    /// The curve: Ed25519 (EdDSA signatures) or X25519 (ECDH-ES key agreement).
    #[arg(long, value_parser = parse_okp_curve)]
    pub(crate) curve: OkpCurve,
    #[command(flatten)]
    pub(crate) out: KeygenOutput,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenOutput {
    /// Key id to record (in the JWK).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// File format: PEM (PKCS#8 / SPKI) or JWK.
    #[arg(long, value_enum, default_value_t = KeyFormat::Pem)]
    pub(crate) format: KeyFormat,
    /// Where to write the private key.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Where to write the public key.
    #[arg(long, value_name = "FILE")]
    pub(crate) public_out: Option<PathBuf>,
}

/// How keygen writes a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyFormat {
    /// PEM: PKCS#8 "PRIVATE KEY", SPKI "PUBLIC KEY".
    Pem,
    /// One JWK object.
    Jwk,
}

#[derive(Debug, Subcommand)]
pub(crate) enum JwkCommand {
    /// Read a key file (PEM, DER or JWK) and print it as a JWK.
    Import(JwkImportArgs),
    /// Print the RFC 7638 SHA-256 thumbprint of a key, base64url.
    Thumbprint(JwkThumbprintArgs),
}

#[derive(Debug, Args)]
pub(crate) struct JwkImportArgs {
    /// Print only the public key.
    #[arg(long)]
    pub(crate) public: bool,
    /// Key id to set (replaces the file's).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The key file.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct JwkThumbprintArgs {
    /// The key file.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

/// A token serialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Serialization {
    /// Dot-separated base64url parts.
    Compact,
    /// Flattened JSON (one signature or recipient).
    Flattened,
    /// General JSON.
    General,
}

#[derive(Debug, Subcommand)]
pub(crate) enum JweCommand {
    /// Encrypt stdin to a key; print the token.
    Encrypt(JweEncryptArgs),
    /// Decrypt the token on stdin; print the plaintext.
    Decrypt(JweDecryptArgs),
}

#[derive(Debug, Args)]
pub(crate) struct JweEncryptArgs {
    /// The recipient's key: public or private (its public half is used) for RSA-OAEP* and
    /// ECDH-ES*, or a shared secret (a JWK of kty "oct") for dir, A*KW and A*GCMKW.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "password_file",
        conflicts_with = "password_file"
    )]
    pub(crate) key: Option<PathBuf>,
    /// A file holding the password for PBES2-* (one trailing newline is ignored).
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// PBES2 iteration count (at least 10000; default 100000).
    #[arg(long, value_name = "N", requires = "password_file")]
    pub(crate) p2c: Option<u32>,
    /// Key management algorithm: RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512, RSA-OAEP; ECDH-ES,
    /// ECDH-ES+A128KW, +A192KW, +A256KW; dir; A128KW, A192KW, A256KW; A128GCMKW, A192GCMKW,
    /// A256GCMKW; PBES2-HS256+A128KW, PBES2-HS384+A192KW, PBES2-HS512+A256KW (RSA1_5 is refused:
    /// a padding oracle, see jose-core's `KeyManagementAlgorithm`).
    #[arg(long, value_parser = parse_jwe_alg)]
    pub(crate) alg: KeyManagementAlgorithm,
    /// Content encryption: A128GCM, A192GCM, A256GCM, A128CBC-HS256, A192CBC-HS384 or
    /// A256CBC-HS512.
    #[arg(long, value_parser = parse_enc)]
    pub(crate) enc: ContentEncryption,
    /// Compress the plaintext first ("zip":"DEF"). Compressing secrets together with text an
    /// attacker chooses lets the length leak them (CRIME, BREACH).
    #[arg(long, value_name = "ZIP", value_parser = ["DEF"])]
    pub(crate) zip: Option<String>,
    /// Key id for the header (replaces the key's; selects the key in a JWKS).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// Content type (`cty`) for the protected header.
    #[arg(long)]
    pub(crate) cty: Option<String>,
    /// Extra protected header members, as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub(crate) protected: Option<String>,
    /// Additional authenticated data from a file (flattened and general only).
    #[arg(long, value_name = "FILE")]
    pub(crate) aad: Option<PathBuf>,
    /// Output serialization.
    #[arg(long, value_enum, default_value_t = Serialization::Compact)]
    pub(crate) format: Serialization,
}

#[derive(Debug, Args)]
pub(crate) struct JweDecryptArgs {
    /// The private key or shared secret, or a JWKS searched by the token's kid.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "password_file",
        conflicts_with = "password_file"
    )]
    pub(crate) key: Option<PathBuf>,
    /// A file holding the password for PBES2-* (one trailing newline is ignored).
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// Allowed key management algorithm (repeatable; default every algorithm the key fits,
    /// PBES2-* only with --password-file).
    #[arg(long = "alg", value_name = "ALG", value_parser = parse_jwe_alg)]
    pub(crate) algs: Vec<KeyManagementAlgorithm>,
    /// Allowed content encryption (repeatable; default all six).
    #[arg(long = "enc", value_name = "ENC", value_parser = parse_enc)]
    pub(crate) encs: Vec<ContentEncryption>,
    /// The largest PBES2 iteration count (p2c) accepted (default 100000).
    #[arg(long, value_name = "N")]
    pub(crate) max_p2c: Option<u32>,
    /// Accept compressed content ("zip":"DEF"), inflated to at most 16 MiB (the token limit).
    #[arg(long)]
    pub(crate) allow_zip: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum JwsCommand {
    /// Sign stdin; print the token.
    Sign(JwsSignArgs),
    /// Verify the token on stdin; print the payload.
    Verify(JwsVerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct JwsSignArgs {
    /// The private key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Signature algorithm: RS256..RS512, PS256..PS512, ES256, ES384, ES512, EdDSA (default: the
    /// key's own: its JWK "alg", ES* from an EC key's curve, EdDSA for an Ed25519 key).
    #[arg(long, value_parser = parse_jws_alg)]
    pub(crate) alg: Option<JwsAlgorithm>,
    /// Key id for the header (replaces the key's; selects the key in a JWKS).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// Extra protected header members, as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub(crate) protected: Option<String>,
    /// Leave the payload out of the token (RFC 7515 appendix F).
    #[arg(long)]
    pub(crate) detached: bool,
    /// Sign the payload unencoded (RFC 7797, "b64":false).
    #[arg(long)]
    pub(crate) unencoded: bool,
    /// Output serialization.
    #[arg(long, value_enum, default_value_t = Serialization::Compact)]
    pub(crate) format: Serialization,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("keys").required(true).args(["key", "jwks"])))]
pub(crate) struct JwsVerifyArgs {
    /// The public (or private) key, or a JWKS searched by the token's kid.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// A JWKS searched by the token's kid.
    #[arg(long, value_name = "FILE")]
    pub(crate) jwks: Option<PathBuf>,
    /// Allowed algorithm (repeatable; default: the key's own).
    #[arg(long = "alg", value_name = "ALG", value_parser = parse_jws_alg)]
    pub(crate) algs: Vec<JwsAlgorithm>,
    /// The detached payload.
    #[arg(long, value_name = "FILE")]
    pub(crate) payload: Option<PathBuf>,
}

/// `exp` when neither `--exp-in` nor the claims on stdin give one: now + 300 s.
pub(crate) const DEFAULT_EXP_IN: i64 = 300;

#[derive(Debug, Subcommand)]
pub(crate) enum JwtCommand {
    /// Sign a JWT: claims (a JSON object) on stdin; print the compact token.
    #[command(long_about = JWT_SIGN_ABOUT)]
    Sign(JwtSignArgs),
    /// Verify a signed JWT on stdin (signature, then exp/nbf/iat, iss, aud, typ); print its
    /// claims as JSON.
    #[command(long_about = JWT_VERIFY_ABOUT)]
    Verify(JwtVerifyArgs),
    /// A private_key_jwt client assertion (RFC 7523): iss = sub = the client id; print the JWT.
    #[command(long_about = CLIENT_ASSERTION_ABOUT)]
    ClientAssertion(JwtClientAssertionArgs),
}

const CLIENT_ASSERTION_ABOUT: &str = "\
Sign a private_key_jwt client assertion (RFC 7523, OpenID Connect Core section 9, FAPI 2.0);
print the JWT, for the token request's client_assertion parameter (client_assertion_type
urn:ietf:params:oauth:client-assertion-type:jwt-bearer).

Claims: iss = sub = --client-id, aud = --aud (the authorization server's issuer identifier, or
its token endpoint URL), iat = now, exp = now + --exp-in (default 60 s, at most 300 s), jti =
128 random bits. The header says alg and the key's kid, and no typ. The key must be asymmetric
(an HS* assertion would be client_secret_jwt).

The authorization server's check, in a shell:
  jose jwt verify --key client.pub.jwk --iss CLIENT_ID --aud URL < assertion

Exit status: 0 the JWT on stdout; 2 a usage or key error.";

#[derive(Debug, Args)]
pub(crate) struct JwtClientAssertionArgs {
    /// The client's private key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Signature algorithm: PS256, ES256 or EdDSA for FAPI 2.0; RS*, PS*, ES* or EdDSA (default:
    /// the key's own, as for `jws sign`).
    #[arg(long, value_parser = parse_jws_alg)]
    pub(crate) alg: Option<JwsAlgorithm>,
    /// Key id for the header (replaces the key's; selects the key in a JWKS).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The client id (iss and sub).
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: String,
    /// The audience: the authorization server's issuer identifier or token endpoint URL.
    #[arg(long, value_name = "URL")]
    pub(crate) aud: String,
    /// The lifetime, exp - iat, in seconds (1 to 300).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) exp_in: u64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DpopCommand {
    /// Make a DPoP proof for one HTTP request; print it (the DPoP header's value).
    #[command(long_about = DPOP_PROOF_ABOUT)]
    Proof(DpopProofArgs),
    /// Verify the DPoP proof on stdin for a request; print {"jkt": ..., "claims": {...}}.
    #[command(long_about = DPOP_VERIFY_ABOUT)]
    Verify(DpopVerifyArgs),
}

const DPOP_PROOF_ABOUT: &str = "\
Make a DPoP proof (RFC 9449) for one HTTP request; print it, the value of the DPoP header.

Header: typ dpop+jwt, alg, and jwk (the key's public members only). Claims: jti (128 random
bits), htm, htu (normalized: scheme and host lowercased, default port dropped, query and
fragment dropped), iat = now, ath = base64url(SHA-256(--ath)) when an access token is given,
nonce when given. The key must be asymmetric (PS256, ES256 or EdDSA for FAPI 2.0).

--ath takes the access token itself: it shows in the process list, so use test tokens.

Exit status: 0 the proof on stdout; 2 a usage or key error.";

const DPOP_VERIFY_ABOUT: &str = "\
Verify the DPoP proof (RFC 9449 section 4.3) on stdin for a request with method --htm to --htu;
print {\"jkt\": ..., \"claims\": {...}}: jkt is the RFC 7638 thumbprint of the proof's key (what a
bound access token carries as cnf.jkt, the same as `jose jwk thumbprint` of that key).

Checked: one compact JWS with typ dpop+jwt; alg one of --alg (default PS256, ES256, EdDSA, FAPI
2.0's; never HS*); the signature with the header's jwk (public members only); htm equal to
--htm; htu equal to --htu, both normalized, query and fragment ignored; iat within --max-age
(default 60 s) of now, 5 s leeway; jti present; with --ath, ath equal to the hash of that
access token; with --nonce, nonce equal to it.

Replays: a single run cannot see one on its own. With --replay-store URL (Redis) the jti is
recorded there, under --replay-prefix (default jose:dpop:), until iat + --max-age + leeway:
every process naming the same store and prefix refuses the same proof again (exit 1, error:
\"jti\": ... replayed ...), and a store that cannot answer within --replay-timeout-ms (default
2000) exits 2, never accepting the proof unchecked.

Exit status: 0 the result on stdout; 1 the proof was refused (the one stderr line starts with
the claim's name, e.g. error: \"htm\": ...); 2 a usage error, or a --replay-store that cannot
answer.";

#[derive(Debug, Args)]
pub(crate) struct DpopProofArgs {
    /// The client's private DPoP key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Signature algorithm (default: the key's own, as for `jws sign`).
    #[arg(long, value_parser = parse_jws_alg)]
    pub(crate) alg: Option<JwsAlgorithm>,
    /// The request's method (htm), as sent: POST, GET...
    #[arg(long, value_name = "METHOD")]
    pub(crate) htm: String,
    /// The request's URI (htu).
    #[arg(long, value_name = "URL")]
    pub(crate) htu: String,
    /// The access token the request carries: its hash becomes the ath claim.
    #[arg(long, value_name = "ACCESS_TOKEN")]
    pub(crate) ath: Option<String>,
    /// The server's nonce (from its DPoP-Nonce header).
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: Option<String>,
}

#[derive(Debug, Args)]
#[command(mut_arg("replay_prefix", replay::default_prefix(replay::DPOP_PREFIX)))]
pub(crate) struct DpopVerifyArgs {
    /// The request's method.
    #[arg(long, value_name = "METHOD")]
    pub(crate) htm: String,
    /// The request's URI, as received.
    #[arg(long, value_name = "URL")]
    pub(crate) htu: String,
    /// Allowed algorithm (repeatable; default PS256, ES256 and EdDSA).
    #[arg(long = "alg", value_name = "ALG", value_parser = parse_jws_alg)]
    pub(crate) algs: Vec<JwsAlgorithm>,
    /// The largest age of the proof, from its iat, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) max_age: u64,
    /// The access token the request carries (Authorization: DPoP ...): ath must be its hash.
    #[arg(long, value_name = "ACCESS_TOKEN")]
    pub(crate) ath: Option<String>,
    /// The nonce the server expects.
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: Option<String>,
    /// --replay-store URL [--replay-prefix P] [--replay-timeout-ms MS]: the jti recorded in a
    /// shared store until iat + --max-age + leeway.
    #[command(flatten)]
    pub(crate) replay: ReplayStoreArgs,
}

const JWT_SIGN_ABOUT: &str = "\
Sign a JWT (a compact JWS whose payload is a JSON object of claims); print the token.

stdin holds a JSON object of claims (empty stdin: no claims besides the flags'). A registered
claim (iss, sub, aud, exp, nbf, iat, jti) must have its type. The flags add or replace:
  iat     the claims' own iat if stdin gives one, else now
  exp     now + --exp-in if given; else the claims' own exp; else now + 300 s
  iss, sub, jti (--jti auto: 128 random bits, base64url), aud (--aud twice or more: an array)

The key file is PEM, DER, a JWK, or a JWKS searched by --kid; HS256/384/512 take a shared
secret as a JWK of kty \"oct\" (jose keygen oct). The header says alg, the key's kid (or --kid)
and --typ if given (none by default: set at+jwt for an RFC 9068 access token).

Exit status: 0 the token on stdout; 2 a usage, key or claims error.";

const JWT_VERIFY_ABOUT: &str = "\
Verify a signed JWT (compact JWS) on stdin; print its claims as one JSON object.

The signature first, with --key or the --jwks key named by the token's kid, for an algorithm
of the allow-list (--alg, repeatable; default the key's own: its JWK \"alg\", ES256/384/512
from an EC key's curve, EdDSA for Ed25519; an RSA key or shared secret without \"alg\" needs
--alg). Then the claims, as RFC 8725 asks:
  exp     required; the token is refused from exp + leeway on
  nbf     refused before nbf - leeway;  iat refused more than the leeway in the future
  iss     one of --iss (repeatable); WITHOUT --iss ANY issuer (or none) is accepted
  aud     one of its audiences is one of --aud (repeatable); WITHOUT --aud ANY audience (or
          none) is accepted
  typ     with --typ, the header's typ, compared ASCII case-insensitively with the
          \"application/\" prefix optional (at+jwt = application/AT+JWT)
  jti     with --replay-store URL (Redis): required, and accepted once: recorded there, under
          --replay-prefix (default jose:jwt:), until exp + leeway, so that every process
          naming the same store and prefix refuses the same token again (error: \"jti\": ...
          replayed ...); a store that cannot answer within --replay-timeout-ms (default
          2000) exits 2, never accepting the token unchecked. Without it a single run cannot
          see a replay.
The leeway is 60 s unless --leeway (0 to 300) says otherwise.

Exit status: 0 the claims on stdout; 1 the token was refused (bad signature, malformed token,
or a claim: the one stderr line starts with the claim's name, e.g. error: \"exp\": the token
expired...); 2 a usage or key error, or a --replay-store that cannot answer.";

#[derive(Debug, Args)]
pub(crate) struct JwtSignArgs {
    /// The private key (or shared secret).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Signature algorithm: RS256..RS512, PS256..PS512, ES256, ES384, ES512, EdDSA, HS256..HS512
    /// (default: the key's own, as for `jws sign`).
    #[arg(long, value_parser = parse_jws_alg)]
    pub(crate) alg: Option<JwsAlgorithm>,
    /// Key id for the header (replaces the key's; selects the key in a JWKS).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The header's typ (e.g. at+jwt; none by default).
    #[arg(long)]
    pub(crate) typ: Option<String>,
    /// The iss claim (replaces stdin's).
    #[arg(long)]
    pub(crate) iss: Option<String>,
    /// The sub claim (replaces stdin's).
    #[arg(long)]
    pub(crate) sub: Option<String>,
    /// An audience (repeatable: twice or more makes aud an array; replaces stdin's).
    #[arg(long = "aud", value_name = "AUD")]
    pub(crate) aud: Vec<String>,
    /// exp = now + SECONDS (may be 0 or negative, for tests). Without it: stdin's exp, else
    /// now + 300.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub(crate) exp_in: Option<i64>,
    /// The jti claim: an id, or `auto` for 128 random bits (base64url).
    #[arg(long, value_name = "auto|ID")]
    pub(crate) jti: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("keys").required(true).args(["key", "jwks"])))]
#[command(mut_arg("replay_prefix", replay::default_prefix(replay::JWT_PREFIX)))]
pub(crate) struct JwtVerifyArgs {
    /// The public (or private) key or shared secret, or a JWKS searched by the token's kid.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// A JWKS searched by the token's kid.
    #[arg(long, value_name = "FILE")]
    pub(crate) jwks: Option<PathBuf>,
    /// Allowed algorithm (repeatable; default: the key's own).
    #[arg(long = "alg", value_name = "ALG", value_parser = parse_jws_alg)]
    pub(crate) algs: Vec<JwsAlgorithm>,
    /// Accepted issuer (repeatable; iss becomes required). Without it any issuer is accepted.
    #[arg(long = "iss", value_name = "ISSUER")]
    pub(crate) iss: Vec<String>,
    /// Accepted audience (repeatable; aud becomes required). Without it any audience is
    /// accepted.
    #[arg(long = "aud", value_name = "AUDIENCE")]
    pub(crate) aud: Vec<String>,
    /// The header typ required (case-insensitive, "application/" optional).
    #[arg(long)]
    pub(crate) typ: Option<String>,
    /// Clock skew allowed on exp, nbf and iat, in seconds (0 to 300).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(0..=300))]
    pub(crate) leeway: u64,
    /// --replay-store URL [--replay-prefix P] [--replay-timeout-ms MS]: jti required, and
    /// recorded in a shared store until exp + leeway.
    #[command(flatten)]
    pub(crate) replay: ReplayStoreArgs,
}

fn parse_oct_bits(s: &str) -> Result<usize, String> {
    match s {
        "128" => Ok(128),
        "192" => Ok(192),
        "256" => Ok(256),
        "384" => Ok(384),
        "512" => Ok(512),
        other => Err(format!(
            "expected 128, 192, 256, 384 or 512, found {:?}",
            other.chars().take(32).collect::<String>()
        )),
    }
}

fn parse_bits(s: &str) -> Result<usize, String> {
    match s {
        "2048" => Ok(2048),
        "3072" => Ok(3072),
        "4096" => Ok(4096),
        other => Err(format!(
            "expected 2048, 3072 or 4096, found {:?}",
            other.chars().take(32).collect::<String>()
        )),
    }
}

fn parse_curve(s: &str) -> Result<EcCurve, String> {
    EcCurve::from_name(s).map_err(|e| e.to_string())
}

fn parse_okp_curve(s: &str) -> Result<OkpCurve, String> {
    OkpCurve::from_name(s).map_err(|e| e.to_string())
}

fn parse_jws_alg(s: &str) -> Result<JwsAlgorithm, String> {
    JwsAlgorithm::from_name(s).map_err(|e| e.to_string())
}

fn parse_jwe_alg(s: &str) -> Result<KeyManagementAlgorithm, String> {
    KeyManagementAlgorithm::from_name(s).map_err(|e| e.to_string())
}

fn parse_enc(s: &str) -> Result<ContentEncryption, String> {
    ContentEncryption::from_name(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
