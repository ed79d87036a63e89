package dev.aigov.server.evidence;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.api.v1.ExportedCheckpoint;
import dev.aigov.evidence.SignedCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the checkpoints out of the database (docs/evidence.md): each chain's latest signed
 * checkpoint, once it moved, appended to {@code checkpoints.jsonl} in {@code AIGOV_CHECKPOINT_DIR}
 * every second (fsynced; an operator ships the file elsewhere, and {@code audit verify --checkpoint}
 * takes it as the trusted heads), and logged every minute (an INFO line per chain, in the
 * structured log that already leaves the host). A replica that stops logs its last heads too.
 */
public final class CheckpointPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointPublisher.class);
    /** The file in the checkpoint directory. */
    public static final String FILE = "checkpoints.jsonl";
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    private final Evidence evidence;
    private final Optional<Path> file;
    private final ScheduledExecutorService scheduler;
    private final Map<UUID, SignedCheckpoint> written = new HashMap<>();
    private final Map<UUID, SignedCheckpoint> logged = new HashMap<>();
    private volatile boolean failing;

    private CheckpointPublisher(Evidence evidence, Optional<Path> directory) {
        this.evidence = evidence;
        this.file = directory.map(dir -> dir.resolve(FILE));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("aigov-checkpoints").daemon().factory());
    }

    /** Starts publishing; the directory is made if missing, and must be writable. */
    public static CheckpointPublisher start(Evidence evidence, Optional<Path> directory) {
        directory.ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalArgumentException("AIGOV_CHECKPOINT_DIR " + dir + " cannot be made: " + e.getMessage(), e);
            }
            if (!Files.isWritable(dir)) {
                throw new IllegalArgumentException("AIGOV_CHECKPOINT_DIR " + dir + " is not writable");
            }
        });
        CheckpointPublisher publisher = new CheckpointPublisher(evidence, directory);
        if (directory.isPresent()) {
            publisher.scheduler.scheduleWithFixedDelay(publisher::writeMoved, 1, 1, TimeUnit.SECONDS);
        }
        publisher.scheduler.scheduleWithFixedDelay(publisher::logMoved, LOG_EVERY.toSeconds(), LOG_EVERY.toSeconds(), TimeUnit.SECONDS);
        return publisher;
    }

    /** Whether the last write to the checkpoint file failed. */
    public boolean failing() {
        return failing;
    }

    /** Appends the checkpoints that moved since the last call; returns how many. */
    synchronized int writeMoved() {
        if (file.isEmpty()) {
            return 0;
        }
        List<SignedCheckpoint> moved = moved(written);
        if (moved.isEmpty()) {
            return 0;
        }
        StringBuilder lines = new StringBuilder();
        for (SignedCheckpoint signed : moved) {
            lines.append(line(signed)).append('\n');
        }
        try (FileChannel channel = FileChannel.open(file.get(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
            moved.forEach(signed -> written.put(signed.checkpoint().chain(), signed));
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.error("Could not append the latest checkpoints to {}; retrying every second", file.get(), e);
            }
            failing = true;
        }
        return moved.size();
    }

    private synchronized void logMoved() {
        for (SignedCheckpoint signed : moved(logged)) {
            LOG.info("Checkpoint of chain {} at seq {}: {}", signed.checkpoint().chain(), signed.checkpoint().seq(), line(signed));
            logged.put(signed.checkpoint().chain(), signed);
        }
    }

    private List<SignedCheckpoint> moved(Map<UUID, SignedCheckpoint> last) {
        return evidence.latest().stream().filter(signed -> !signed.equals(last.get(signed.checkpoint().chain()))).toList();
    }

    /** One line as export files and {@code audit verify --checkpoint} read them. */
    static String line(SignedCheckpoint signed) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(ExportAuditEventsResponse.newBuilder()
                    .setCheckpoint(ExportedCheckpoint.newBuilder().setChainId(signed.checkpoint().chain().toString())
                            .setSeq(signed.checkpoint().seq()).setNote(signed.note()))
                    .build());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a checkpoint always prints", e);
        }
    }

    /** Writes and logs the last heads, then stops. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        writeMoved();
        logMoved();
    }
}
