package dev.aigov.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 keys (RFC 8032) as checkpoints use them: key ids, key hashes, signing, verifying, and
 * PKCS#8 PEM key files. Signing and verifying are BouncyCastle's lightweight Ed25519, about ten
 * times faster than the JDK's provider (SigningBenchmark).
 */
public final class SigningKeys {
    /** The size of a signature. */
    public static final int SIGNATURE_SIZE = Ed25519.SIGNATURE_SIZE;
    private static final Pattern KEY_ID = Pattern.compile("aigov-[0-9a-f]{16}");
    /** PKCS#8 for Ed25519 (RFC 8410): this DER prefix, then the 32-byte seed. */
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        Ed25519.precompute();
    }

    private SigningKeys() {
    }

    /** Whether {@code text} has the form of a key id. */
    public static boolean isKeyId(String text) {
        return text != null && KEY_ID.matcher(text).matches();
    }

    /** A public key, and the id and key hash checkpoints name it by. */
    public static final class PublicKey {
        private final byte[] bytes;
        private final String keyId;
        private final byte[] keyHash;

        private PublicKey(byte[] bytes) {
            if (bytes.length != Ed25519.PUBLIC_KEY_SIZE || !Ed25519.validatePublicKeyPartial(bytes, 0)) {
                throw new IllegalArgumentException("not an Ed25519 public key (32 bytes, a point of the curve)");
            }
            this.bytes = Arrays.copyOf(bytes, bytes.length);
            this.keyId = "aigov-" + HexFormat.of().formatHex(Merkle.sha256(bytes), 0, 8);
            MessageDigest sha = Merkle.sha256();
            sha.update(keyId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update((byte) 1);
            sha.update(bytes);
            this.keyHash = Arrays.copyOf(sha.digest(), 4);
        }

        /** The key from its 32 raw bytes. */
        public static PublicKey of(byte[] bytes) {
            return new PublicKey(bytes);
        }

        public String keyId() {
            return keyId;
        }

        /** The raw 32 bytes. */
        public byte[] bytes() {
            return Arrays.copyOf(bytes, bytes.length);
        }

        byte[] keyHash() {
            return Arrays.copyOf(keyHash, keyHash.length);
        }

        /** Whether {@code signature} is this key's over {@code message}. */
        public boolean verify(byte[] message, byte[] signature) {
            return signature.length == SIGNATURE_SIZE && Ed25519.verify(signature, 0, bytes, 0, message, 0, message.length);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof PublicKey that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return keyId;
        }
    }

    /** A private key (its 32-byte seed) and its public key. */
    public static final class PrivateKey {
        private final byte[] seed;
        private final PublicKey publicKey;

        private PrivateKey(byte[] seed) {
            if (seed.length != Ed25519.SECRET_KEY_SIZE) {
                throw new IllegalArgumentException("an Ed25519 private key is a 32-byte seed");
            }
            this.seed = Arrays.copyOf(seed, seed.length);
            byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(this.seed, 0, pub, 0);
            this.publicKey = new PublicKey(pub);
        }

        public PublicKey publicKey() {
            return publicKey;
        }

        /** Signs {@code message} (pure Ed25519). */
        public byte[] sign(byte[] message) {
            byte[] signature = new byte[SIGNATURE_SIZE];
            Ed25519.sign(seed, 0, publicKey.bytes, 0, message, 0, message.length, signature, 0);
            return signature;
        }

        /** The key as a PKCS#8 PEM, as {@code openssl genpkey -algorithm ed25519} writes it. */
        public String toPem() {
            byte[] der = new byte[PKCS8_PREFIX.length + seed.length];
            System.arraycopy(PKCS8_PREFIX, 0, der, 0, PKCS8_PREFIX.length);
            System.arraycopy(seed, 0, der, PKCS8_PREFIX.length, seed.length);
            return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
        }

        @Override
        public String toString() {
            return "PrivateKey[" + publicKey.keyId() + "]";
        }
    }

    /** A new random key. */
    public static PrivateKey generate() {
        byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
        RANDOM.nextBytes(seed);
        return new PrivateKey(seed);
    }

    /** Reads a PKCS#8 PEM Ed25519 private key. */
    public static PrivateKey fromPem(String pem) {
        String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        try {
            EdECPrivateKey key = (EdECPrivateKey) KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            return new PrivateKey(key.getBytes().orElseThrow(() -> new IllegalArgumentException("the key has no seed")));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** Reads the key file at {@code file}. */
    public static PrivateKey read(Path file) throws IOException {
        try {
            return fromPem(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code key} to {@code file}, readable by its owner only (0600), atomically: a reader sees
     * the old file or the new one, never a part.
     */
    public static void write(PrivateKey key, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempFile(parent, ".signing-key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temporary, key.toPem(), StandardCharsets.US_ASCII);
            try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The public keys a verifier trusts, by key id. */
    public static final class KeySet {
        private final Map<String, PublicKey> keys;

        private KeySet(Map<String, PublicKey> keys) {
            this.keys = Map.copyOf(keys);
        }

        public static KeySet of(Collection<PublicKey> keys) {
            Map<String, PublicKey> byId = new LinkedHashMap<>();
            keys.forEach(key -> byId.put(key.keyId(), key));
            return new KeySet(byId);
        }

        public static KeySet of(PublicKey... keys) {
            return of(Arrays.asList(keys));
        }

        public Optional<PublicKey> find(String keyId) {
            return Optional.ofNullable(keys.get(keyId));
        }

        public Collection<PublicKey> keys() {
            return keys.values();
        }

        public int size() {
            return keys.size();
        }
    }
}
