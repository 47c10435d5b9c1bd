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
 * which a watch on the file itself would lose. Events of the file itself are coalesced for {@link #SETTLE_MS}
 * so one save (truncate + write: several events, the first of them on a half-written file) is one reload. The
 * kubelet's {@code ..data} swap is atomic — the new directory is complete before its link is renamed into place
 * — so it reloads at once: a ConfigMap update (the DaemonSet's path) is in force without the 200 ms wait. Each
 * trigger only posts to {@code reload}, which runs on the control thread.
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
        return start(configFile, reload, SETTLE_MS);
    }

    /** {@link #start(Path, Consumer)} with another settle time (tests: a long one shows what does not wait). */
    static ReloadTriggers start(Path configFile, Consumer<String> reload, long settleMs) throws IOException {
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
                () -> watch(watcher, name, reload, settleMs));
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

    /** What a batch of directory events means for the config file. */
    enum Change {
        /** nothing of ours */
        NONE,
        /** the file itself (or lost events): maybe half-written, settle first */
        FILE,
        /** the kubelet renamed a complete {@code ..data} link into place: read it now */
        SWAP;

        Change and(Change other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }

    private static void watch(WatchService watcher, Path name, Consumer<String> reload, long settleMs) {
        try {
            for (;;) {
                Change change = drain(watcher.take(), name);
                // Coalesce the burst of one save (truncate + write, or create + rename); a swap ends the wait.
                WatchKey more;
                while (change != Change.SWAP && (more = watcher.poll(settleMs, TimeUnit.MILLISECONDS)) != null) {
                    change = change.and(drain(more, name));
                }
                if (change != Change.NONE) {
                    reload.accept("file change");
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the daemon is stopping
        } catch (RuntimeException e) {
            DaemonLog.warn("config file watch stopped", e);
        }
    }

    private static Change drain(WatchKey key, Path name) {
        Change change = Change.NONE;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (KUBELET_DATA_LINK.equals(event.context()) && event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                change = Change.SWAP; // renamed into place (IN_MOVED_TO): the target is complete
            } else if (event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context())
                    || KUBELET_DATA_LINK.equals(event.context())) {
                change = change.and(Change.FILE);
            }
        }
        key.reset();
        return change;
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
