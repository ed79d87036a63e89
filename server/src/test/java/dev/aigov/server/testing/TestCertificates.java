package dev.aigov.server.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA with a server certificate (for localhost and 127.0.0.1) and a client certificate,
 * written as PEM files, for TLS and mutual-TLS tests.
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey,
        Path clientCertificate, Path clientKey) {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** Creates a CA, and a server and a client certificate it signed, in {@code directory}. */
    public static TestCertificates createIn(Path directory) {
        try {
            KeyPair ca = keyPair();
            X509CertificateHolder caCertificate = certificate("CN=aigov test CA", ca, "CN=aigov test CA", ca, true);
            KeyPair server = keyPair();
            X509CertificateHolder serverCertificate = certificate("CN=localhost", server, "CN=aigov test CA", ca, false);
            KeyPair client = keyPair();
            X509CertificateHolder clientCertificate = certificate("CN=aigov test client", client, "CN=aigov test CA", ca, false);
            return new TestCertificates(
                    pem(directory.resolve("ca.pem"), "CERTIFICATE", caCertificate.getEncoded()),
                    pem(directory.resolve("server.pem"), "CERTIFICATE", serverCertificate.getEncoded()),
                    pem(directory.resolve("server.key"), "PRIVATE KEY", server.getPrivate().getEncoded()),
                    pem(directory.resolve("client.pem"), "CERTIFICATE", clientCertificate.getEncoded()),
                    pem(directory.resolve("client.key"), "PRIVATE KEY", client.getPrivate().getEncoded()));
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("could not create test certificates", e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509CertificateHolder certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            boolean authority)
            throws IOException, org.bouncycastle.operator.OperatorCreationException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        if (authority) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate()));
    }

    private static Path pem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
        return file;
    }
}
