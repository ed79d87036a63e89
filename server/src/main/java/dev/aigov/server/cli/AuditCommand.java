package dev.aigov.server.cli;

import picocli.CommandLine.Command;

/** {@code audit ...}: the signed audit trail, exported and checked from outside the server (docs/evidence.md). */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Export and verify the signed audit trail (docs/evidence.md).",
        subcommands = {AuditExportCommand.class, AuditVerifyCommand.class})
public final class AuditCommand {
}
