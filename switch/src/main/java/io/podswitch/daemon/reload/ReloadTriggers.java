package io.podswitch.daemon.reload;

import io.podswitch.daemon.DaemonLog;
import io.podswitch.nativeio.Libc;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What starts a reload besides {@code POST /v1/reload}: SIGHUP, and a change of the config file seen by
 * a {@link WatchService} on its directory. The directory, not the file, is watched: editors and
 * configuration tools replace a file by writing a temporary one and renaming it over the original,
 * which a watch on the file itself would lose. Events are coalesced for {@link #SETTLE_MS} so one save
 * (several events) is one reload. Each trigger only posts to {@code reload}, which runs on the control
 * thread.
 */
public final class ReloadTriggers implements AutoCloseable {
    static final long SETTLE_MS = 200;
    /**
     * A ConfigMap volume (the DaemonSet's {@code /etc/podswitch}) holds {@code cluster.yaml} as a symlink to
     * {@code ..data/cluster.yaml}; the kubelet updates it by writing a new timestamped directory and renaming a
     * new {@code ..data} symlink over the old one, so the directory sees events for {@code ..data}, never for
     * {@code cluster.yaml}. Any change there may be ours (a reload of an unchanged file changes nothing).
     */
    static final Path KUBELET_DATA_LINK = Path.of("..data");

    private final WatchService watcher;
    private final Thread watchThread;

    private ReloadTriggers(WatchService watcher, Thread watchThread) {
        this.watcher = watcher;
        this.watchThread = watchThread;
    }

    /** @param reload called with the trigger's name ("SIGHUP", "file change") from a non-control thread */
    public static ReloadTriggers start(Path configFile, Consumer<String> reload) throws IOException {
        try {
            if (handleSighup(reload)) {
                DaemonLog.info("SIGHUP was ignored when podswitchd started (nohup?): handled again, it reloads the config");
            }
        } catch (RuntimeException e) {
            DaemonLog.warn("SIGHUP does not reload (the file watch and POST /v1/reload still do)", e);
        }
        Path absolute = configFile.toAbsolutePath();
        Path directory = absolute.getParent();
        Path name = absolute.getFileName();
        WatchService watcher = FileSystems.getDefault().newWatchService();
        try {
            directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            watcher.close();
            throw e;
        }
        Thread thread = Thread.ofPlatform().name("podswitch-config-watch").daemon().unstarted(
                () -> watch(watcher, name, reload));
        thread.start();
        return new ReloadTriggers(watcher, thread);
    }

    /**
     * Makes SIGHUP call {@code reload}. A process started with SIGHUP ignored ({@code nohup}, or a parent that
     * ignored it: the disposition is inherited across fork and exec) keeps it ignored through
     * {@link Signal#handle}, which then returns {@code SIG_IGN} without installing anything: every SIGHUP
     * would be dropped silently. The disposition is set back to the default and the handler installed again.
     *
     * @return true when SIGHUP had been ignored
     */
    static boolean handleSighup(Consumer<String> reload) {
        Signal hup = new Signal("HUP");
        SignalHandler handler = signal -> reload.accept("SIGHUP");
        if (Signal.handle(hup, handler) != SignalHandler.SIG_IGN) {
            return false;
        }
        Libc.defaultSignalAction(hup.getNumber(), "SIGHUP");
        if (Signal.handle(hup, handler) == SignalHandler.SIG_IGN) {
            throw new IllegalStateException("SIGHUP stays ignored after signal(SIGHUP, SIG_DFL)");
        }
        return true;
    }

    private static void watch(WatchService watcher, Path name, Consumer<String> reload) {
        try {
            for (;;) {
                WatchKey key = watcher.take();
                boolean ours = drain(key, name);
                // Coalesce the burst of one save (truncate + write, or create + rename).
                WatchKey more;
                while ((more = watcher.poll(SETTLE_MS, TimeUnit.MILLISECONDS)) != null) {
                    ours |= drain(more, name);
                }
                if (ours) {
                    reload.accept("file change");
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the daemon is stopping
        } catch (RuntimeException e) {
            DaemonLog.warn("config file watch stopped", e);
        }
    }

    private static boolean drain(WatchKey key, Path name) {
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context())
                    || KUBELET_DATA_LINK.equals(event.context())) {
                ours = true;
            }
        }
        key.reset();
        return ours;
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            DaemonLog.warn("config watch not closed", e);
        }
        watchThread.interrupt();
    }
}
