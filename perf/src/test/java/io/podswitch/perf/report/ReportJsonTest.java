package io.podswitch.perf.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportJsonTest {

    @Test
    void roundTripGivesTheSameReport() {
        Report r = SampleReports.full("Xeon");
        Report back = ReportJson.fromJson(ReportJson.toJson(r));
        assertEquals(r, back);
        assertEquals(ReportJson.toJson(r), ReportJson.toJson(back), "serialisation must be stable");
    }

    @Test
    void fileRoundTrip(@TempDir Path dir) throws IOException {
        Report r = SampleReports.full("Xeon");
        Path f = dir.resolve("report.json");
        ReportJson.write(r, f);
        assertEquals(r, ReportJson.read(f));
    }

    @Test
    void documentCarriesSchemaNameVersionAndSummaries() {
        String json = ReportJson.toJson(SampleReports.full("Xeon"));
        assertTrue(json.contains("\"schema\": \"podswitch-bench-report\""), json);
        assertTrue(json.contains("\"schemaVersion\": 1"), json);
        assertTrue(json.contains("\"median\": 2"), "median of 2.0, 2.2, 1.9 is 2.0");
        assertTrue(json.contains("\"better\": \"lower\""));
    }

    @Test
    void subjectJvmsAreOptionalForReportsWrittenBeforeThem() {
        Report r = SampleReports.full("Xeon");
        String json = ReportJson.toJson(r);
        assertTrue(json.contains("\"compilers\": \"C1+C2\""), json);
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(json);
        for (Object scenario : (List<Object>) root.get("scenarios")) {
            ((Map<String, Object>) scenario).remove("subjects");
        }
        Report old = ReportJson.fromJson(Json.write(root));
        assertTrue(old.scenarios().stream().allMatch(s -> s.subjects().isEmpty()), old.scenarios().toString());
    }

    @Test
    void newerSchemaVersionIsRefused() {
        String json = ReportJson.toJson(SampleReports.full("Xeon")).replace("\"schemaVersion\": 1",
                "\"schemaVersion\": 2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson(json));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void otherDocumentsAndMissingFieldsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson("{\"schema\": \"x\"}"));
        String json = ReportJson.toJson(SampleReports.withMeasurements(List.of(SampleReports.ok("s", "podswitch", "m",
                Direction.HIGHER_IS_BETTER, Map.of(), 1.0))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReportJson.fromJson(json.replace("\"unit\"", "\"unitx\"")));
        assertTrue(e.getMessage().contains("'unit'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson(json.replace("\"ok\"", "\"great\"")));
        assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson(json.replace("\"higher\"", "\"up\"")));
    }

    @Test
    void readErrorNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("broken.json");
        java.nio.file.Files.writeString(f, "{");
        IOException e = assertThrows(IOException.class, () -> ReportJson.read(f));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
    }
}
