package dev.aigov.evidence;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What one checkpoint costs to sign and to verify with each provider we could choose (JMH), printed,
 * not asserted: why aigov-evidence signs with BouncyCastle's Ed25519. Not part of the default run:
 * {@code ./mvnw -B -pl proto/evidence -am verify -Dgroups=benchmark -Daigov.excludedGroups=
 * -Daigov.redirectTestOutput=false -Dtest=SigningBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SigningBenchmark {
    private byte[] body;
    private SigningKeys.PrivateKey bc;
    private byte[] bcSignature;
    private KeyPair jdkEd25519;
    private byte[] jdkEd25519Signature;
    private KeyPair jdkP256;
    private byte[] jdkP256Signature;
    private byte[] event;

    @Setup
    public void setUp() throws Exception {
        bc = SigningKeys.generate();
        body = new Checkpoint(UUID.randomUUID(), 123_456, 64, Merkle.sha256(new byte[]{1}), Merkle.sha256(new byte[]{2}),
                Instant.parse("2026-12-04T20:50:51.123456Z"), Duration.ofSeconds(60), bc.publicKey().keyId()).body();
        bcSignature = bc.sign(body);
        jdkEd25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        jdkEd25519Signature = jdkSign("Ed25519", jdkEd25519);
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        jdkP256 = ec.generateKeyPair();
        jdkP256Signature = jdkSign("SHA256withECDSA", jdkP256);
        event = ("aigov-event/v1\nevent_id=" + UUID.randomUUID() + "\n" + "x=".repeat(120) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] jdkSign(String algorithm, KeyPair pair) throws Exception {
        Signature signature = Signature.getInstance(algorithm);
        signature.initSign(pair.getPrivate());
        signature.update(body);
        return signature.sign();
    }

    private boolean jdkVerify(String algorithm, KeyPair pair, byte[] signed) throws Exception {
        Signature signature = Signature.getInstance(algorithm);
        signature.initVerify(pair.getPublic());
        signature.update(body);
        return signature.verify(signed);
    }

    @Benchmark
    public byte[] bouncyCastleEd25519Sign() {
        return bc.sign(body);
    }

    @Benchmark
    public boolean bouncyCastleEd25519Verify() {
        return bc.publicKey().verify(body, bcSignature);
    }

    @Benchmark
    public byte[] jdkEd25519Sign() throws Exception {
        return jdkSign("Ed25519", jdkEd25519);
    }

    @Benchmark
    public boolean jdkEd25519Verify() throws Exception {
        return jdkVerify("Ed25519", jdkEd25519, jdkEd25519Signature);
    }

    @Benchmark
    public byte[] jdkEcdsaP256Sign() throws Exception {
        return jdkSign("SHA256withECDSA", jdkP256);
    }

    @Benchmark
    public boolean jdkEcdsaP256Verify() throws Exception {
        return jdkVerify("SHA256withECDSA", jdkP256, jdkP256Signature);
    }

    @Benchmark
    public byte[] leafHash() {
        return Merkle.leafHash(event);
    }

    @Test
    void run() throws Exception {
        new Runner(new OptionsBuilder().include(SigningBenchmark.class.getSimpleName()).build()).run();
    }
}
