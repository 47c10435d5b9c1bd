package io.podswitch.daemon.cli;

import io.podswitch.config.ConfigLoader;
import io.podswitch.daemon.api.ControlApi;
import io.podswitch.daemon.api.ControlServer;
import io.podswitch.daemon.api.ControlThread;
import io.podswitch.daemon.api.DaemonOperations;
import io.podswitch.daemon.reload.FileServices;
import io.podswitch.daemon.services.ServiceManager;
import io.podswitch.daemon.services.ServiceManagerTest;
import io.podswitch.packet.Ip4;
import io.podswitch.service.ServiceTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServicesCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return ClientCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void badCommandLines() {
        assertEquals(64, run("services", "drop-backend", "db", "10.0.0.1"));
        assertEquals(64, run("services", "add-backend", "db"));
        assertEquals(64, run("services", "add-backend", "db", "10.0.0.1", "--port"));
        assertEquals(64, run("services", "add-backend", "db", "10.0.0.1", "--weight", "heavy"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--weight needs a number, not 'heavy'"), err.toString());
        assertEquals(64, run("services", "remove-backend", "db", "10.0.0.1", "--weight", "2"));
        assertEquals(64, run("services", "remove-backend", "db", "10.0.0.1", "--terminating"));
        assertEquals(64, run("services", "add-backend", "db", "10.0.0.1", "--fast"));
        assertEquals(0, run("services", "help"));
        assertEquals(1, run("services", "add-backend", "db", "10.0.0.1", "--socket", dir.resolve("no.sock").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is it running?"), err.toString());
    }

    @Test
    void addListAndRemoveAgainstAControlServer() throws Exception {
        ServiceTable table = new ServiceTable(64, 1);
        ServiceManager manager = new ServiceManager(table, 13);
        FileServices.apply(manager, ConfigLoader.parse(ServiceManagerTest.BASE, "cluster.yaml", Map.of()));
        Path socket = dir.resolve("d.sock");
        try (ControlThread control = new ControlThread();
             ControlServer server = ControlServer.start(socket,
                     new ControlApi(control, new DaemonOperations(null, null, null, manager)))) {
            String s = socket.toString();
            assertEquals(0, run("services", "add-backend", "db", "10.244.8.8", "--weight", "4", "--socket", s),
                    err.toString());
            assertEquals("added 10.244.8.8 to db\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(2, table.find4(6, Ip4.parse("10.96.0.20"), 5432).backendCount());

            assertEquals(0, run("services", "--socket", s));
            String listing = out.toString(StandardCharsets.UTF_8);
            assertTrue(listing.contains("web:http:v4:nodeport"), listing);
            assertTrue(listing.lines().anyMatch(l -> l.matches("db +10\\.244\\.8\\.8 +5432 +4 +yes +yes +no +no.*")), listing);

            assertEquals(1, run("services", "remove-backend", "db", "10.244.9.9", "--socket", s));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("has no backend 10.244.9.9"), err.toString());
            assertEquals(0, run("services", "remove-backend", "db", "10.244.8.8", "--socket", s));
            assertEquals(1, table.find4(6, Ip4.parse("10.96.0.20"), 5432).backendCount());
        }
    }
}
