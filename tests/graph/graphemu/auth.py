"""Token endpoint (client credentials) and bearer-token checks.

DOCS['client-creds']: POST /{tenant}/oauth2/v2.0/token, form-encoded,
grant_type=client_credentials, client_id, scope=https://graph.microsoft.com/.default
and either client_secret (or HTTP Basic) or client_assertion_type=
urn:ietf:params:oauth:client-assertion-type:jwt-bearer + client_assertion.
Success: {"token_type":"Bearer","expires_in":3599,"access_token":...}.
Errors: {"error","error_description":"AADSTSnnnn: ...","error_codes",[...],
"timestamp","trace_id","correlation_id","error_uri"} with 400 (401 for
invalid_client).

DOCS['cert-creds']: the assertion is a JWT, header alg PS256 (older pages:
RS256), typ JWT, x5t#S256 = base64url SHA-256 of the certificate DER (older
pages: x5t = SHA-1); claims aud = the token endpoint URL, iss = sub =
client_id, jti (unique), nbf, exp ("5-10 minutes after nbf at most"), iat.

The AADSTS codes are those of DOCS['aadsts'] where it lists them; the texts of
700021/700023/700027 are the ones real Entra returns in public issue threads
(AzureAD/microsoft-authentication-library-for-dotnet#2746 for 700023,
AzureAD/azure-activedirectory-library-for-python#79 for invalid_client with
401).

Documentation pages cited in this file as DOCS['key']:
  client-creds             Microsoft identity platform and the OAuth 2.0 client credentials flow
                           https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
  cert-creds               Microsoft identity platform application authentication certificate credentials
                           https://learn.microsoft.com/entra/identity-platform/certificate-credentials
  aadsts                   Microsoft Entra authentication and authorization error codes
                           https://learn.microsoft.com/entra/identity-platform/reference-error-codes
"""

import base64
import datetime as _dt
import hashlib
import json
import os
import threading
import time
import uuid
from urllib.parse import parse_qsl, unquote

from .common import Resp, b64url, b64url_decode, dumps, graph_error

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    HAVE_CRYPTO = True
except ImportError:          # python3-cryptography is needed only for certificate credentials
    HAVE_CRYPTO = False

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRAPH_SCOPES = {"https://graph.microsoft.com/.default", GRAPH_APP_ID + "/.default"}


class Cert:
    def __init__(self, pem):
        if not HAVE_CRYPTO:
            raise RuntimeError("certificate credentials need python3-cryptography")
        self.cert = x509.load_pem_x509_certificate(pem)
        der = self.cert.public_bytes(serialization.Encoding.DER)
        self.x5t = b64url(hashlib.sha1(der).digest())
        self.x5t_s256 = b64url(hashlib.sha256(der).digest())
        self.key = self.cert.public_key()
        # cryptography 38 (Debian 12) has only the naive-UTC attributes.
        nb = getattr(self.cert, "not_valid_before_utc", None) or \
            self.cert.not_valid_before.replace(tzinfo=_dt.timezone.utc)
        na = getattr(self.cert, "not_valid_after_utc", None) or \
            self.cert.not_valid_after.replace(tzinfo=_dt.timezone.utc)
        self.not_before, self.not_after = nb.timestamp(), na.timestamp()


class App:
    def __init__(self, tenant, client_id, secrets, certs, name=None):
        self.tenant, self.client_id = tenant, client_id.lower()
        self.secrets = list(secrets)
        self.certs = list(certs)
        self.name = name or "lethe-test-app"


def aad_error(status, error, code, text):
    trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
    ts = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    body = {
        "error": error,
        "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s"
                             % (code, text, trace, corr, ts),
        "error_codes": [code], "timestamp": ts, "trace_id": trace, "correlation_id": corr,
        "error_uri": "https://login.microsoftonline.com/error?code=%d" % code,
    }
    return Resp(status, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store, no-cache",
                         "Pragma": "no-cache"}, dumps(body), body)


class Auth:
    def __init__(self, lifetime=3599, max_assertion_lifetime=600):
        self.lock = threading.Lock()
        self.tenants = {}          # alias (lower) -> tenant id
        self.apps = {}             # client_id (lower) -> App
        self.tokens = {}           # access token -> (expiry, client_id, tenant id)
        self.jtis = {}             # jti -> exp
        self.lifetime = lifetime
        self.max_assertion_lifetime = max_assertion_lifetime
        self.issued = 0

    # -- registry --------------------------------------------------------------
    def add_tenant(self, tenant_id, domains=()):
        with self.lock:
            self.tenants[tenant_id.lower()] = tenant_id
            for d in domains:
                self.tenants[d.lower()] = tenant_id

    def add_app(self, tenant_id, client_id, secrets=(), cert_pems=(), name=None):
        certs = [Cert(p) for p in cert_pems]
        with self.lock:
            self.apps[client_id.lower()] = App(tenant_id, client_id, secrets, certs, name)

    def tenant_aliases(self, tenant_id):
        return [a for a, t in self.tenants.items() if t == tenant_id]

    def expire_all(self):
        with self.lock:
            now = time.time()
            for k, (exp, cid, tid) in list(self.tokens.items()):
                self.tokens[k] = (min(exp, now - 1), cid, tid)
            return len(self.tokens)

    # -- token endpoint ----------------------------------------------------------
    def token_endpoint(self, method, tenant, headers, body, hosts):
        if method != "POST":
            return aad_error(405, "invalid_request", 900561,
                             "The endpoint only accepts POST, OPTIONS requests. Received a %s request." % method)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form = {}
        if ctype == "application/x-www-form-urlencoded":
            try:
                for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                    form[k] = v
            except UnicodeDecodeError:
                form = {}
        if unquote(tenant).lower() in ("common", "organizations", "consumers"):
            # DOCS['aadsts']: AADSTS9001023, client credentials need the tenant.
            return aad_error(400, "invalid_request", 9001023,
                             "The grant type isn't supported over the /common or /consumers endpoints. Please "
                             "use the /organizations or tenant-specific endpoint.")
        tenant_id = self.tenants.get(unquote(tenant).lower())
        if tenant_id is None:
            return aad_error(400, "invalid_request", 90002,
                             "Tenant '%s' not found. Check to make sure you have the correct tenant ID and "
                             "are signing into the correct cloud." % tenant)
        basic_id = basic_secret = None
        authz = headers.get("Authorization") or ""
        if authz.lower().startswith("basic "):
            try:
                raw = base64.b64decode(authz[6:].strip()).decode("utf-8")
                basic_id, basic_secret = [unquote(x) for x in raw.split(":", 1)]
            except Exception:
                return aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        for p in ("grant_type",):
            if not form.get(p):
                return aad_error(400, "invalid_request", 900144,
                                 "The request body must contain the following parameter: '%s'." % p)
        if form["grant_type"] != "client_credentials":
            return aad_error(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type '%s'." % form["grant_type"])
        client_id = form.get("client_id") or basic_id
        if not client_id:
            return aad_error(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'client_id'.")
        if not form.get("scope"):
            return aad_error(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'scope'.")
        app = self.apps.get(client_id.lower())
        if app is None or app.tenant != tenant_id:
            return aad_error(400, "unauthorized_client", 700016,
                             "Application with identifier '%s' was not found in the directory '%s'. This can "
                             "happen if the application has not been installed by the administrator of the "
                             "tenant or consented to by any user in the tenant. You may have sent your "
                             "authentication request to the wrong tenant." % (client_id, tenant))
        scopes = form["scope"].split()
        if len(scopes) != 1:
            return aad_error(400, "invalid_scope", 70011,
                             "The provided value for the input parameter 'scope' is not valid. The scope %s "
                             "is not valid." % form["scope"])
        if not scopes[0].endswith("/.default"):
            return aad_error(400, "invalid_scope", 1002012,
                             "The provided value for scope %s is not valid. Client credential flows must have "
                             "a scope value with /.default suffixed to the resource identifier "
                             "(application ID URI)." % form["scope"])
        if scopes[0] not in GRAPH_SCOPES:
            return aad_error(400, "invalid_resource", 500011,
                             "The resource principal named %s was not found in the tenant named %s. This can "
                             "happen if the application has not been installed by the administrator of the "
                             "tenant or consented to by any user in the tenant. You might have sent your "
                             "authentication request to the wrong tenant." % (scopes[0][:-len("/.default")], tenant))
        secret = form.get("client_secret") or basic_secret
        atype = form.get("client_assertion_type")
        assertion = form.get("client_assertion")
        if secret is None and atype is None and assertion is None:
            return aad_error(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: 'client_assertion' "
                             "or 'client_secret'.")
        if secret is not None:
            if secret not in app.secrets:
                return aad_error(401, "invalid_client", 7000215,
                                 "Invalid client secret provided. Ensure the secret being sent in the request is "
                                 "the client secret value, not the client secret ID, for a secret added to app "
                                 "'%s'." % app.client_id)
        else:
            if atype != ASSERTION_TYPE:
                return aad_error(400, "invalid_request", 90014 if not atype else 50027,
                                 "The request body must contain the following parameter: "
                                 "'client_assertion_type'." if not atype else
                                 "Invalid client_assertion_type '%s'." % atype)
            if not assertion:
                return aad_error(400, "invalid_request", 900144,
                                 "The request body must contain the following parameter: 'client_assertion'.")
            err = self._check_assertion(app, tenant_id, assertion, hosts, tenant)
            if err is not None:
                return err
        tok = "emu." + b64url(os.urandom(32))
        with self.lock:
            self.tokens[tok] = (time.time() + self.lifetime, app.client_id, tenant_id)
            self.issued += 1
        body = {"token_type": "Bearer", "expires_in": int(self.lifetime),
                "ext_expires_in": int(self.lifetime), "access_token": tok}
        return Resp(200, {"Content-Type": "application/json; charset=utf-8",
                          "Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}, dumps(body), body)

    def _check_assertion(self, app, tenant_id, assertion, hosts, tenant_in_url):
        parts = assertion.split(".")
        try:
            if len(parts) != 3:
                raise ValueError
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
            if not isinstance(header, dict) or not isinstance(claims, dict):
                raise ValueError
        except Exception:
            return aad_error(400, "invalid_request", 50027,
                             "JWT token is invalid or malformed.")
        typ = header.get("typ")
        if typ is not None and typ not in ("JWT", "http://openid.net/specs/jwt/1.0"):
            return aad_error(400, "invalid_request", 5002727,
                             "Invalid JWT header type specified. Allowed types: 'JWT','http://openid.net/specs/jwt/1.0'.")
        alg = header.get("alg")
        if alg not in ("RS256", "PS256"):
            return aad_error(401, "invalid_client", 5002738,
                             "Invalid JWT token. '%s' is not a supported signature algorithm. Supported signing "
                             "algorithms are: 'RS256, PS256'" % alg)
        if not HAVE_CRYPTO:
            return aad_error(401, "invalid_client", 700027,
                             "Client assertion failed signature validation. (emulator: python3-cryptography "
                             "is not installed)")
        thumb = header.get("x5t#S256") or header.get("x5t")
        cert = None
        for c in app.certs:
            if header.get("x5t#S256") == c.x5t_s256 or (header.get("x5t#S256") is None and header.get("x5t") == c.x5t):
                cert = c
                break
        if cert is None:
            return aad_error(401, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. [Reason - The key was not found., "
                             "Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph "
                             "Explorer or directly use MS Graph to see configured keys for app Id '%s'.]"
                             % (thumb, app.client_id))
        now = time.time()
        if not (cert.not_before <= now <= cert.not_after):
            return aad_error(401, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. [Reason - The key used is expired., "
                             "Thumbprint of key used by client: '%s']" % thumb)
        signing_input = (parts[0] + "." + parts[1]).encode("ascii")
        try:
            if alg == "RS256":
                cert.key.verify(sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
            else:
                # RFC 7518 3.5: PS256 = RSASSA-PSS, SHA-256, MGF1 SHA-256, salt as long as the hash.
                cert.key.verify(sig, signing_input, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                                salt_length=32), hashes.SHA256())
        except (InvalidSignature, ValueError, TypeError):
            return aad_error(401, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. [Reason - The provided signature "
                             "value did not match the expected signature value., Thumbprint of key used by "
                             "client: '%s']" % thumb)
        aud = claims.get("aud")
        expected = set()
        for h in hosts:
            for alias in self.tenant_aliases(tenant_id) + [tenant_in_url]:
                expected.add("https://%s/%s/oauth2/v2.0/token" % (h, alias))
        if not isinstance(aud, str) or aud.lower() not in {e.lower() for e in expected}:
            return aad_error(401, "invalid_client", 700023,
                             "Client assertion audience claim does not match Realm issuer. Review the "
                             "documentation at https://docs.microsoft.com/azure/active-directory/develop/"
                             "active-directory-certificate-credentials .")
        if claims.get("iss") != claims.get("sub") or str(claims.get("iss", "")).lower() != app.client_id:
            return aad_error(401, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match 'client_id' parameter. "
                             "Review the documentation at https://docs.microsoft.com/azure/active-directory/"
                             "develop/active-directory-certificate-credentials .")
        exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
        for name, v in (("exp", exp), ("nbf", nbf), ("iat", iat)):
            if v is not None and not isinstance(v, (int, float)):
                return aad_error(400, "invalid_request", 50027,
                                 "JWT token is invalid or malformed. Claim '%s' is not a number." % name)
        if exp is None:
            return aad_error(401, "invalid_client", 50013,
                             "Assertion is invalid because of various reasons - The assertion has no 'exp' claim.")
        start = nbf if nbf is not None else (iat if iat is not None else now)
        if now >= exp or (nbf is not None and nbf > now + 300):
            return aad_error(401, "invalid_client", 700024,
                             "Client assertion is not within its valid time range. Current time: %s, assertion "
                             "valid from %s, expiry time of assertion %s. Review the documentation at "
                             "https://docs.microsoft.com/azure/active-directory/develop/"
                             "active-directory-certificate-credentials ."
                             % (_iso(now), _iso(start), _iso(exp)))
        if self.max_assertion_lifetime and exp - start > self.max_assertion_lifetime + 1:
            # Stricter than Entra ("doesn't place restrictions on the exp time
            # currently"), as DOCS['cert-creds'] asks for 5-10 minutes at most.
            return aad_error(401, "invalid_client", 700024,
                             "Client assertion is not within its valid time range. (emulator: the assertion "
                             "lives %d s, more than the %d s DOCS allow)" % (exp - start, self.max_assertion_lifetime))
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            return aad_error(401, "invalid_client", 50013,
                             "Assertion is invalid because of various reasons - The assertion has no 'jti' claim.")
        with self.lock:
            for k in [k for k, v in self.jtis.items() if v < now - 600]:
                del self.jtis[k]
            if jti in self.jtis:
                return aad_error(401, "invalid_client", 50013,
                                 "Assertion is invalid because of various reasons - The 'jti' claim '%s' was "
                                 "already used (replayed assertion)." % jti)
            self.jtis[jti] = exp
        return None

    # -- resource side -----------------------------------------------------------
    def check_bearer(self, authz):
        """-> (client_id, None) or (None, 401 Resp).  The 401 body and header are
        the ones Graph sends (code InvalidAuthenticationToken)."""
        hdr = {"WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/'
                                   'common/oauth2/authorize", client_id="%s"' % GRAPH_APP_ID}
        if not authz:
            return None, graph_error(401, "InvalidAuthenticationToken", "Access token is empty.", hdr)
        if not authz.lower().startswith("bearer "):
            return None, graph_error(401, "InvalidAuthenticationToken",
                                     "Access token validation failure. Invalid audience.", hdr)
        tok = authz[7:].strip()
        with self.lock:
            hit = self.tokens.get(tok)
        if hit is None:
            return None, graph_error(401, "InvalidAuthenticationToken",
                                     "IDX14100: JWT is not well formed, there are no dots (.).", hdr)
        exp, cid, tid = hit
        if time.time() >= exp:
            return None, graph_error(401, "InvalidAuthenticationToken",
                                     "Access token has expired or is not yet valid.", hdr)
        return cid, None


def _iso(t):
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
