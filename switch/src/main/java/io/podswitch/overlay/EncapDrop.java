package io.podswitch.overlay;

/** Why the encapsulator refused a frame; indices into the counters, with stable names. */
public final class EncapDrop {
    /** No peer has the given id (removed while the frame was in flight, or never configured). */
    public static final int UNKNOWN_PEER = 0;
    /** Less headroom in the frame than the outer headers need. */
    public static final int NO_HEADROOM = 1;
    /** The inner frame is shorter than an Ethernet header. */
    public static final int TOO_SHORT = 2;
    /**
     * The inner frame still carries offload work (a partial checksum or a GSO super-frame): the outer
     * checksum and length would not match what finally goes on the wire. Complete or segment first.
     */
    public static final int OFFLOAD_PENDING = 3;
    public static final int COUNT = 4;

    static final String[] NAMES = {"unknown_peer", "no_headroom", "too_short", "offload_pending"};
    static final String[] COUNTER_NAMES = new String[COUNT];

    static {
        for (int i = 0; i < COUNT; i++) {
            COUNTER_NAMES[i] = "overlay.encap.drop." + NAMES[i];
        }
    }

    private EncapDrop() {
    }

    public static String name(int reason) {
        return NAMES[reason];
    }
}
