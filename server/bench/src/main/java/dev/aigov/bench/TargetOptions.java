package dev.aigov.bench;

import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** How to reach a server: plaintext (the default) or TLS trusting a given CA. */
final class TargetOptions {
    @ArgGroup(exclusive = true)
    Transport transport = new Transport();

    static final class Transport {
        @Option(names = "--plaintext", description = "Connect without TLS (the default).")
        boolean plaintext;

        @Option(names = "--tls-ca", paramLabel = "FILE", description = "Connect with TLS, trusting this PEM CA certificate.")
        Path tlsCa;
    }

    /** The CA to trust, or null for plaintext. */
    Path tlsCa() {
        return transport == null ? null : transport.tlsCa;
    }
}
