package io.podswitch.daemon.pod;

/**
 * Told when a pod attachment is wired on this node (CNI ADD, or re-attached after a restart) and when it is
 * unwired (DEL, GC). Called on the control thread, before the ADD answers: NetworkPolicy compiles the pod in
 * here, so it is isolated before its containers start.
 */
public interface PodListener {
    void wired(PodRecord record);

    void unwired(PodRecord record);

    PodListener NONE = new PodListener() {
        @Override
        public void wired(PodRecord record) {
        }

        @Override
        public void unwired(PodRecord record) {
        }
    };
}
