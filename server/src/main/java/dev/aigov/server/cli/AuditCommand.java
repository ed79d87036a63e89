package dev.aigov.server.cli;

import picocli.CommandLine.Command;

/** {@code audit ...}: the audit trail's evidence, checked from outside the server. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit trail's evidence (docs/evidence.md).",
        subcommands = {AuditVerifyCommand.class})
public final class AuditCommand {
}
