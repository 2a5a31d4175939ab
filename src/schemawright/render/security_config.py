"""The security design's sections of config/: TLS and SCRAM in postgresql.conf, hostssl-only pg_hba.conf."""

from __future__ import annotations

from schemawright.model.facts import SecurityFacts
from schemawright.render import RenderContext
from schemawright.render.config import ConfigSection, config_section


@config_section
def security_sections(ctx: RenderContext) -> list[ConfigSection]:
    s = ctx.schema
    if not s.roles:
        return []
    facts = s.facts.security or SecurityFacts()
    app, admin, readonly = (s.role(p).name for p in ("app", "admin", "readonly"))
    why = ("encryption_requirements.in_transit: true" if facts.in_transit else
           "not required by the input, recommended for every network connection")
    conf = [
        f"# Encryption in transit ({why}) and password hashing.",
        "ssl = on",
        "ssl_cert_file = '<server.crt>'            # the server certificate",
        "ssl_key_file = '<server.key>'             # private key: on the server only, mode 0600, never in a repository",
        "ssl_min_protocol_version = 'TLSv1.2'",
        "ssl_prefer_server_ciphers = on",
        "password_encryption = 'scram-sha-256'     # stored passwords are SCRAM verifiers, never MD5 or plain",
        "row_security = on                         # policies apply (off would make queries fail, not leak)",
        "log_connections = on",
        "log_disconnections = on",
        "# Keep statement logging off for ordinary traffic: statement text can hold the encryption key",
        "# (app.encryption_key) or a password; the audit table records data changes instead.",
        "log_statement = 'none'",
    ]
    if facts.at_rest:
        conf += ["# Encryption at rest (encryption_requirements.at_rest: true): PostgreSQL does not encrypt data",
                 "# files itself. Put the data directory, WAL and backups on encrypted storage (LUKS, an encrypted",
                 "# cloud volume) and encrypt backups (pg_dump | gpg, or the backup tool's encryption)."]
    hba = [
        "# TYPE     DATABASE  USER                        ADDRESS           METHOD",
        "local      all       postgres                                      peer",
        f"hostssl    all       {app:<27} <app-subnet/cidr>  scram-sha-256",
        f"hostssl    all       +{admin:<26} <admin-subnet/cidr> scram-sha-256",
        f"hostssl    all       +{readonly:<26} <report-subnet/cidr> scram-sha-256",
        "# Everything else, and any connection without TLS, is refused.",
        "hostnossl  all       all                         0.0.0.0/0         reject",
        "hostnossl  all       all                         ::/0              reject",
        "host       all       all                         0.0.0.0/0         reject",
        "host       all       all                         ::/0              reject",
    ]
    return [ConfigSection("postgresql.conf.example", "security: TLS, password hashing, logging", conf, order=10),
            ConfigSection("pg_hba.conf.example", "security: TLS only, SCRAM-SHA-256 passwords", hba, order=10)]
