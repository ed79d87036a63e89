package dev.aigov.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leaf encoding: as documented, one encoding per event, and read back as written. */
class EventEncodingTest {
    @Test
    void anEventIsEncodedLineByLineInColumnOrderWithNullsLeftOut() {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("outcome", "allow");
        columns.put("event_id", "5a0c3a56-0c1e-4a55-9a55-2f0e3bb1c6f4");
        columns.put("data_classifications", List.of("personal", "a,b]c"));
        columns.put("message", "Two\nlines \\ and a CR\r.");
        columns.put("all_reasons", List.of());
        columns.put("tenant_id", null);

        String text = new String(EventEncoding.encode(columns), StandardCharsets.UTF_8);

        assertThat(text).isEqualTo("aigov-event/v1\n"
                + "event_id=5a0c3a56-0c1e-4a55-9a55-2f0e3bb1c6f4\n"
                + "data_classifications=[personal,a\\,b\\]c]\n"
                + "outcome=allow\n"
                + "all_reasons=[]\n"
                + "message=Two\\nlines \\\\ and a CR\\r.\n");
    }

    @Test
    void whatIsEncodedDecodesToTheSameColumns() {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("event_id", "5a0c3a56-0c1e-4a55-9a55-2f0e3bb1c6f4");
        columns.put("occurred_at", EventEncoding.timestamp(Instant.parse("2026-12-04T20:50:51.123400Z")));
        columns.put("data_classifications", List.of("", ",", "]", "\\", "x\ny"));
        columns.put("rejected_classifications", List.of());
        columns.put("message", "é 語 = \\n");

        Map<String, Object> decoded = EventEncoding.decode(EventEncoding.encode(columns));

        assertThat(decoded).containsExactlyEntriesOf(columns);
        assertThat(decoded.get("occurred_at")).isEqualTo("2026-12-04T20:50:51.123400Z");
    }

    @Test
    void anythingButTheCanonicalEncodingIsRefused() {
        assertThatThrownBy(() -> EventEncoding.decode("aigov-event/v1\noutcome=allow\nevent_id=x\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("out of order");
        assertThatThrownBy(() -> EventEncoding.decode("aigov-event/v1\nnope=1\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> EventEncoding.decode("aigov-event/v1\nmessage=a\\tb\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("escape");
        assertThatThrownBy(() -> EventEncoding.decode("aigov-event/v2\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("aigov-event/v1");
        assertThatThrownBy(() -> EventEncoding.encode(Map.of("changed", true))).hasMessageContaining("canonical text");
    }

    @Test
    void timestampsAreWholeMicrosecondsWithSixDigits() {
        assertThat(EventEncoding.timestamp(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026-01-02T03:04:05.000000Z");
        assertThatThrownBy(() -> EventEncoding.timestamp(Instant.parse("2026-01-02T03:04:05.000000001Z")))
                .hasMessageContaining("microseconds");
        assertThatThrownBy(() -> EventEncoding.parseTimestamp("2026-01-02T03:04:05Z")).hasMessageContaining("canonical");
    }
}
