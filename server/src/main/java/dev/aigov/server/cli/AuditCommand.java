package dev.aigov.server.cli;

import picocli.CommandLine.Command;

/** {@code audit ...}: the signed audit trail's commands (docs/evidence.md). */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Export (and verify) the signed audit trail (docs/evidence.md).",
        subcommands = {AuditExportCommand.class})
public final class AuditCommand {
}
