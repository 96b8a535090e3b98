"""Signing keys and trust roots.

Each agency signs its results with its own key. `agency_signer` finds it in this order:

1. on a **PKCS#11 token** (an HSM, or a USB token) when ``MOTCUA_SIGNING_PKCS11_MODULE`` is set: the private
   key and the certificate labelled (CKA_LABEL) with the agency's identifier, e.g. ``H17.20.194``, or with
   ``MOTCUA_SIGNING_PKCS11_KEY_LABEL`` for all agencies, on the token labelled ``MOTCUA_SIGNING_PKCS11_TOKEN``,
   logged in with ``MOTCUA_SIGNING_PKCS11_PIN``. Keys then come only from the token. The CA certificates
   found on the token above the agency's certificate are embedded with it;
2. ``MOTCUA_SIGNING_PKCS12_DIR/<identifier>.p12``, when that file exists;
3. ``MOTCUA_SIGNING_PKCS12``: one key for every agency without a file of its own (e.g. the province's key);
4. outside production only, the demo certificate authority below. In production `SigningKeyError` names the
   agency and the settings to set.

PKCS#12 files are opened with ``MOTCUA_SIGNING_PKCS12_PASSWORD`` (one password for all: the files sit in one
directory with one owner, so per-file passwords kept beside them would protect nothing more). A key is used
only when its certificate is valid now and allows signing (key usage digitalSignature or nonRepudiation) and
the key matches the certificate (a test signature over a random challenge must verify with the certificate);
otherwise `SigningKeyError` says what is wrong and nothing is signed. `settings.check_signing_keys` checks at
start-up what can be checked without opening a key.

Development and tests use a local **demo certificate authority** ("motcua Demo Root CA", for development
only): `ensure_demo_pki` creates it once under ``settings.MOTCUA_PKI_DIR`` and reuses it; `agency_signer` then
issues, on first use, one signing certificate per agency (subject: the agency's name, its QCVN 102:2016
identifier in the UID attribute, C=VN; key usage digitalSignature + nonRepudiation), kept as
``agency-<identifier>.p12`` beside the root.

Trust roots for verification are the demo root (outside production) plus the PEM/DER files listed in
``MOTCUA_SIGNING_TRUST_ROOTS``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ROOT_NAME = "motcua Demo Root CA"
ROOT_FILE = "demo-root-ca.p12"
ROOT_CERT_FILE = "demo-root-ca.pem"
# The demo files are protected by file permissions (0600), not by this well-known passphrase.
DEMO_PASSPHRASE = b"motcua-demo-only"
ROOT_VALIDITY = dt.timedelta(days=3650)
SIGNER_VALIDITY = dt.timedelta(days=3 * 365)

logger = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass(frozen=True)
class DemoPKI:
    directory: Path
    root_cert: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    created: bool  # True when this call created the root


def pki_dir() -> Path:
    return Path(settings.MOTCUA_PKI_DIR)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one


def _refuse_in_production() -> None:
    if settings.ENVIRONMENT == "production":
        raise ImproperlyConfigured(
            "The demo certificate authority is for development only. In production give each agency its key "
            "from a licensed CA: a PKCS#11 token (MOTCUA_SIGNING_PKCS11_MODULE, _TOKEN, _PIN), or PKCS#12 files "
            "(MOTCUA_SIGNING_PKCS12_DIR or MOTCUA_SIGNING_PKCS12, with MOTCUA_SIGNING_PKCS12_PASSWORD)."
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _serialize(key, cert, name: str, cas=None) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, cas, serialization.BestAvailableEncryption(DEMO_PASSPHRASE)
    )


def ensure_demo_pki(*, directory: Path | str | None = None) -> DemoPKI:
    """Create the demo root CA under `directory` (default MOTCUA_PKI_DIR) unless it is already there."""
    _refuse_in_production()
    directory = Path(directory) if directory else pki_dir()
    path = directory / ROOT_FILE
    with _lock:
        if path.is_file():
            key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), DEMO_PASSPHRASE)
            return DemoPKI(directory, cert, key, created=False)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua (development only)"),
                x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + ROOT_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(path, _serialize(key, cert, ROOT_NAME))
        (directory / ROOT_CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return DemoPKI(directory, cert, key, created=True)


def _agency_file(directory: Path, identifier: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in identifier)
    return directory / f"agency-{safe}.p12"


def ensure_agency_certificate(agency, *, directory: Path | str | None = None) -> Path:
    """The demo PKCS#12 file of `agency` (key, certificate, root), issued by the demo CA on first use."""
    pki = ensure_demo_pki(directory=directory)
    path = _agency_file(pki.directory, agency.identifier)
    with _lock:
        if path.is_file():
            return path
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name[:64]),
                x509.NameAttribute(NameOID.USER_ID, agency.identifier),
                x509.NameAttribute(NameOID.COMMON_NAME, agency.name[:64]),
            ]
        )
        now = _now()
        root = pki.root_cert
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(min(now + SIGNER_VALIDITY, root.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING]),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.root_key.public_key()), critical=False
            )
            .sign(pki.root_key, hashes.SHA256())
        )
        _write_private(path, _serialize(key, cert, agency.identifier, cas=[root]))
        return path


class SigningKeyError(ImproperlyConfigured):
    """An agency has no usable signing key: none configured, unreadable, not valid now, not for signing, or
    not matching its certificate. The message names the agency and says what to fix."""


# Agency identifiers (QCVN 102:2016, e.g. H17.20.194) become file names: anything else is never looked up.
SAFE_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
KEY_SETTINGS_HELP = (
    "set MOTCUA_SIGNING_PKCS11_MODULE, MOTCUA_SIGNING_PKCS11_TOKEN and MOTCUA_SIGNING_PKCS11_PIN (a token holding "
    "the key and certificate labelled {identifier}), or put {identifier}.p12 in MOTCUA_SIGNING_PKCS12_DIR, or set "
    "MOTCUA_SIGNING_PKCS12 (one key for every agency), with MOTCUA_SIGNING_PKCS12_PASSWORD"
)


def _setting(name: str) -> str:
    return getattr(settings, name, "") or ""


def _who(agency) -> str:
    return f"agency {agency.identifier} ({agency.name})"


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def agency_signer(agency):
    """A pyHanko signer with `agency`'s key (see the module docstring for where it is looked up).

    Raises `SigningKeyError` rather than return a key that would make an invalid or misleading signature.
    """
    if _setting("MOTCUA_SIGNING_PKCS11_MODULE"):
        return _pkcs11_signer(agency)
    path = _pkcs12_path(agency)
    if path is not None:
        signer = _load_pkcs12(path, _setting("MOTCUA_SIGNING_PKCS12_PASSWORD"), agency)
        source = str(path)
    elif settings.ENVIRONMENT == "production":
        directory = _setting("MOTCUA_SIGNING_PKCS12_DIR")
        looked = f" (there is no {Path(directory) / (agency.identifier + '.p12')})" if directory else ""
        raise SigningKeyError(
            f"No signing key for {_who(agency)}{looked}. The demo certificate authority is for development only: "
            + KEY_SETTINGS_HELP.format(identifier=agency.identifier)
            + "."
        )
    else:
        path = ensure_agency_certificate(agency)
        signer = _load_pkcs12(path, DEMO_PASSPHRASE, agency)
        source = f"demo CA, {path}"
    _check_certificate(signer, agency, source)
    _check_key_matches(signer, agency, source)
    return signer


def _pkcs12_path(agency) -> Path | None:
    directory = _setting("MOTCUA_SIGNING_PKCS12_DIR")
    if directory and SAFE_IDENTIFIER.match(agency.identifier):
        path = Path(directory) / f"{agency.identifier}.p12"
        if path.is_file():
            return path
    single = _setting("MOTCUA_SIGNING_PKCS12")
    return Path(single) if single else None


def _load_pkcs12(path: Path, password: str | bytes, agency):
    from asn1crypto import keys
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"Cannot read {path}, the signing key of {_who(agency)}: {exc.strerror}.") from exc
    if isinstance(password, str):
        password = password.encode()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"Cannot open {path}, the signing key of {_who(agency)}: wrong MOTCUA_SIGNING_PKCS12_PASSWORD, or not "
            "a PKCS#12 file."
        ) from exc
    if key is None or cert is None:
        raise SigningKeyError(
            f"{path} (signing key of {_who(agency)}) must hold the private key and its certificate; it holds "
            f"{'no private key' if key is None else 'no certificate'}."
        )
    der = serialization.Encoding.DER
    return signers.SimpleSigner(
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in extra]
        ),
    )


def _check_certificate(signer, agency, source: str) -> None:
    """The signing certificate is valid now and allows signing documents."""
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    subject = cert.subject.rfc4514_string()
    now = dt.datetime.now(dt.UTC)
    if now < cert.not_valid_before_utc:
        raise SigningKeyError(
            f"The certificate of {_who(agency)} ({source}; {subject}) is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC: check the server clock, or install the certificate "
            "in force."
        )
    if now > cert.not_valid_after_utc:
        raise SigningKeyError(
            f"The certificate of {_who(agency)} ({source}; {subject}) expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%d} UTC: renew it with the CA and install the new key and certificate."
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningKeyError(
            f"The certificate of {_who(agency)} ({source}; {subject}) is not for signing documents (its key usage "
            "allows neither digitalSignature nor nonRepudiation): install the agency's signing certificate."
        )


def _check_key_matches(signer, agency, source: str) -> None:
    """Sign a random challenge and verify it with the certificate: a key that does not belong to its certificate
    (a mixed-up file or token label) is refused here instead of producing a signature nobody can verify."""
    from cryptography.exceptions import InvalidSignature
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    challenge = os.urandom(32)
    try:
        mechanism = signer.get_signature_mechanism_for_digest("sha256")
        signature = _run(signer.async_sign_raw(challenge, "sha256"))
        DefaultSignatureValidator().validate_signature(signature, challenge, signer.signing_cert.public_key, mechanism)
    except _STALE_SESSION_ERRORS:
        raise  # the token dropped the session: `_pkcs11_signer` opens a new one and tries again
    except InvalidSignature as exc:
        raise SigningKeyError(
            f"The private key of {_who(agency)} ({source}) does not match its certificate "
            f"({signer.signing_cert.subject.human_friendly}): install the key and certificate that belong together."
        ) from exc
    except Exception as exc:  # noqa: BLE001 — any failure to sign means this key cannot sign for the agency
        raise SigningKeyError(
            f"The key of {_who(agency)} ({source}) cannot sign ({_describe(exc)}): the key and "
            "certificate do not belong together, or the token does not support the signature mechanism."
        ) from exc


def run_coroutine(coroutine):
    """Run one of pyHanko's coroutines to completion from synchronous code (signing, certificate validation)."""
    return _run(coroutine)


def _run(coroutine):
    """Run a pyHanko coroutine to completion: here, or in a worker thread when this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# PKCS#11. One session per process, opened on the first signature and kept for the next ones. Logging in to
# an HSM can be slow, and PKCS#11 logs in the *application*, not a session: with a session per signature,
# one thread's logout (closing its session) would end the login another thread is signing under. Threads
# share the session, one call at a time: python-pkcs11 initialises the module with C_Initialize(NULL), which
# tells it that the application will not call it from several threads at once (SoftHSM aborts the process
# when it is), so every call into the module from this process — opening, searching, reading a certificate,
# signing, closing — holds `_pkcs11_lock`. Signing is short; signatures simply queue. The session is opened
# lazily in the process that signs, so a pre-fork server (gunicorn --preload) opens one per worker; a session
# inherited through fork() is dropped unused and the module initialised again. A session the device dropped
# (HSM restart, token pulled out) is replaced once, on the next signature. A PIN the token refused is not
# tried again by this process (tokens lock the PIN after a few wrong tries): fix it, restart.
_pkcs11_lock = threading.RLock()
_pkcs11_state: dict = {}  # "config": (module, token, pin), "pid", "session"
_pkcs11_initialised_in: dict[str, int] = {}  # module → the process that initialised it
_pkcs11_refused: dict[tuple[str, str, str], str] = {}  # (module, token, pin) → why the login failed
_STALE_SESSION_ERRORS = (
    pkcs11.SessionHandleInvalid,
    pkcs11.SessionClosed,
    pkcs11.DeviceRemoved,
    pkcs11.DeviceError,
    pkcs11.TokenNotPresent,
    pkcs11.TokenNotRecognised,
    pkcs11.UserNotLoggedIn,
)
_PIN_ERRORS = (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange, pkcs11.PinLocked, pkcs11.PinExpired)


def _new_lock_after_fork() -> None:
    global _pkcs11_lock
    _pkcs11_lock = threading.RLock()  # another thread of the parent may have held it at fork() time


os.register_at_fork(after_in_child=_new_lock_after_fork)


def close_pkcs11_session() -> None:
    """Log out and close this process's PKCS#11 session, if open, and forget refused PINs (the next signature
    opens a new session)."""
    with _pkcs11_lock:
        _close_session_locked()
        _pkcs11_refused.clear()


def _close_session_locked() -> None:
    session = _pkcs11_state.get("session")
    if session is not None and _pkcs11_state.get("pid") == os.getpid():
        try:
            session.close()
        except pkcs11.PKCS11Error:
            pass  # already gone with the device
    _pkcs11_state.clear()


def _pkcs11_session(*, renew: bool = False):
    """This process's logged-in session on the configured token (`renew`: close it and open a new one)."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    module = _setting("MOTCUA_SIGNING_PKCS11_MODULE")
    token = _setting("MOTCUA_SIGNING_PKCS11_TOKEN")
    pin = _setting("MOTCUA_SIGNING_PKCS11_PIN")
    config = (module, token, pin)
    with _pkcs11_lock:
        if _pkcs11_state:
            if _pkcs11_state["pid"] != os.getpid():
                _pkcs11_state.clear()  # inherited through fork(): the parent's handles, never to be used here
            elif renew or _pkcs11_state["config"] != config:
                _close_session_locked()
            else:
                return _pkcs11_state["session"]
        if config in _pkcs11_refused:
            raise SigningKeyError(
                f"The PKCS#11 token {token!r} refused MOTCUA_SIGNING_PKCS11_PIN earlier ({_pkcs11_refused[config]}); "
                "it is not tried again, lest the token lock the PIN: set the right PIN and restart."
            )
        if _pkcs11_initialised_in.setdefault(module, os.getpid()) != os.getpid():
            _reinitialize_library(module)
            _pkcs11_initialised_in[module] = os.getpid()
        criteria = TokenCriteria(label=token)
        try:
            try:
                session = open_pkcs11_session(module, token_criteria=criteria, user_pin=pin)
            except pkcs11.UserAlreadyLoggedIn:
                # Another session of this process logged in to the token already; the login is shared.
                session = open_pkcs11_session(module, token_criteria=criteria, user_pin=None)
        except _PIN_ERRORS as exc:
            _pkcs11_refused[config] = _describe(exc)
            locked = isinstance(exc, pkcs11.PinLocked)
            raise SigningKeyError(
                f"The PKCS#11 token {token!r} refused the login ({_describe(exc)}): "
                + ("unblock the user PIN with the token's SO PIN, then " if locked else "")
                + "check MOTCUA_SIGNING_PKCS11_PIN and restart."
            ) from exc
        except pkcs11.PKCS11Error as exc:
            raise SigningKeyError(
                f"Cannot open the PKCS#11 token {token!r} with {module} ({_describe(exc)}): check "
                "MOTCUA_SIGNING_PKCS11_MODULE and MOTCUA_SIGNING_PKCS11_TOKEN (the token's label), and that the "
                "token or HSM is reachable."
            ) from exc
        _pkcs11_state.update(config=config, pid=os.getpid(), session=session)
        return session


def _reinitialize_library(module: str) -> None:
    """After fork(): finalise the library state inherited from the parent and initialise it for this process."""
    library = pkcs11.lib(module)
    for step in (library.finalize, library.initialize):
        try:
            step()
        except pkcs11.PKCS11Error:
            pass  # some modules reset themselves after fork(); what matters is the next C_Initialize


def _pkcs11_signer(agency):
    label = _setting("MOTCUA_SIGNING_PKCS11_KEY_LABEL") or agency.identifier
    source = f"PKCS#11 token {_setting('MOTCUA_SIGNING_PKCS11_TOKEN')!r}, label {label!r}"
    try:
        return _pkcs11_signer_on(_pkcs11_session(), label, agency, source)
    except _STALE_SESSION_ERRORS as exc:
        logger.warning("signing: the PKCS#11 session was lost (%s); opening a new one", type(exc).__name__)
    try:
        return _pkcs11_signer_on(_pkcs11_session(renew=True), label, agency, source)
    except _STALE_SESSION_ERRORS as exc:
        raise SigningKeyError(
            f"The PKCS#11 token ({source}) keeps dropping the session ({type(exc).__name__}): check the token or "
            "HSM and its connection."
        ) from exc


def _pkcs11_signer_on(session, label: str, agency, source: str):
    signer = _load_pkcs11_signer(session, label, agency, source)
    _check_certificate(signer, agency, source)
    _check_key_matches(signer, agency, source)
    return signer


def _load_pkcs11_signer(session, label: str, agency, source: str):
    signer = _serialised_pkcs11_signer_class()(session, cert_label=label, key_label=label)
    try:
        with _pkcs11_lock:
            cert = signer.signing_cert  # pulls the certificate and the private key handle, both by label
            chain = _issuers_on_token(session, cert)
    except _STALE_SESSION_ERRORS:
        raise
    except pkcs11.PKCS11Error as exc:
        raise SigningKeyError(
            f"No usable signing key for {_who(agency)} on the {source} ({exc}): import the agency's private key "
            f"and its certificate on the token, both labelled {label!r} (CKA_LABEL), or set "
            "MOTCUA_SIGNING_PKCS11_KEY_LABEL to the label of the one key for every agency."
        ) from exc
    if cert.public_key.algorithm == "ec":
        # Hash here, sign the digest with CKM_ECDSA: every EC-capable token has it, while CKM_ECDSA_SHA256 is
        # often missing (SoftHSM 2.6 among others).
        signer.use_raw_mechanism = True
    signer.cert_registry.register_multiple(chain)
    return signer


@functools.cache
def _serialised_pkcs11_signer_class():
    """Defined on first use: pyHanko is imported only by the code that signs."""
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class SerialisedPKCS11Signer(PKCS11Signer):
        """pyHanko's PKCS#11 signer, calling the module under `_pkcs11_lock` (see above)."""

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            # The lock is held by this coroutine's thread while pyHanko signs in an executor thread: each
            # signature runs its own event loop (pades._sync), so waiting here blocks nobody else's.
            with _pkcs11_lock:
                self.signing_cert  # noqa: B018 — loads the objects under the lock, if not loaded yet
                return await super().async_sign_raw(data, digest_algorithm, dry_run=dry_run)

    return SerialisedPKCS11Signer


def _issuers_on_token(session, cert) -> list:
    """The CA certificates on the token above `cert`, up to its root: embedded so that a verifier holding only
    the root can build the chain. Other certificates (other agencies') are left out of the signature."""
    candidates = [
        asn1_x509.Certificate.load(obj[pkcs11.Attribute.VALUE])
        for obj in session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE})
    ]
    chain, current = [], cert
    while current.issuer != current.subject and len(chain) < 8:
        issuer = next((c for c in candidates if c.subject == current.issuer and c.ca), None)
        if issuer is None or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    return chain


def trust_roots() -> list[asn1_x509.Certificate]:
    """The certificates a valid result signature must chain to."""
    roots = []
    if settings.ENVIRONMENT != "production":
        path = pki_dir() / ROOT_CERT_FILE
        if path.is_file():
            roots.append(_load_cert(path.read_bytes()))
    for name in getattr(settings, "MOTCUA_SIGNING_TRUST_ROOTS", []) or []:
        roots.append(_load_cert(Path(name).read_bytes()))
    return roots


def _load_cert(data: bytes) -> asn1_x509.Certificate:
    if data.lstrip().startswith(b"-----BEGIN"):
        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(data)
