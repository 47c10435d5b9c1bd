package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The io_uring binding without privileges, on eventfds (pollable like a TAP's descriptor, 8 bytes per
 * read): a no-op round trip, a batch of writes in one enter, and a multishot read into provided
 * buffers that stays armed — the kernel raises the task-run flag when a read has work, one enter
 * completes every pending read, and a read without buffers ends with -ENOBUFS.
 */
class IoUringTest {
    private static final int FLAGS = IoUring.SETUP_SINGLE_ISSUER | IoUring.SETUP_DEFER_TASKRUN
            | IoUring.SETUP_TASKRUN_FLAG | IoUring.SETUP_SUBMIT_ALL;
    private IoUring ring;
    private Arena arena;

    @BeforeEach
    void open() {
        ring = IoUring.create(64, FLAGS);
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        ring.close();
        arena.close();
    }

    @Test
    void aNopComesBackWithItsUserData() {
        assertTrue(ring.prepNop(0x1234_5678_9abcL));
        assertEquals(1, ring.pending());
        assertEquals(1, ring.submit());
        assertEquals(1, ring.ready());
        assertEquals(0x1234_5678_9abcL, ring.cqeUserData(0));
        assertEquals(0, ring.cqeResult(0));
        ring.advance(1);
        assertEquals(0, ring.ready());
        assertEquals(0, ring.pending());
    }

    @Test
    void aBatchOfWritesCompletesInOneEnter() {
        try (EventFd fd = EventFd.create()) {
            MemorySegment one = arena.allocate(8, 8);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            for (int i = 0; i < 32; i++) {
                assertTrue(ring.prepWrite(fd.fd(), one.address(), 8, i));
            }
            assertEquals(32, ring.submit());
            assertEquals(32, ring.ready(), "eventfd writes complete inline, during the enter");
            for (int i = 0; i < 32; i++) {
                assertEquals(i, ring.cqeUserData(i));
                assertEquals(8, ring.cqeResult(i));
            }
            ring.advance(32);
            MemorySegment value = arena.allocate(8, 8);
            MemorySegment errno = Native.errnoSegment(arena);
            assertEquals(8, Libc.read(errno, fd.fd(), value.address(), 8));
            assertEquals(32, value.get(ValueLayout.JAVA_LONG, 0), "the counter saw every write");
        }
    }

    @Test
    void aMultishotReadStaysArmedAndFillsProvidedBuffers() {
        try (EventFd fd = EventFd.create()) {
            IoUring.BufferRing buffers = new IoUring.BufferRing(arena, 4);
            MemorySegment memory = arena.allocate(4 * 64, 64);
            ring.registerBufferRing(buffers.memory(), 4, 3, "test group");
            for (int bid = 0; bid < 4; bid++) {
                buffers.add(bid, memory.address() + 64L * bid, 64, bid);
            }
            buffers.advance(4);
            assertTrue(ring.prepReadMultishot(fd.fd(), 3, 77));
            assertEquals(1, ring.submit());
            assertEquals(0, ring.ready(), "nothing to read: the read is armed, no completion");
            for (int round = 0; round < 3; round++) {
                fd.signal();
                assertTrue(ring.taskRunPending(), "a readable descriptor gives the armed read work");
                assertEquals(0, ring.ready(), "... done only inside our next enter (DEFER_TASKRUN)");
                ring.submit();
                assertFalse(ring.taskRunPending());
                assertEquals(1, ring.ready());
                assertEquals(77, ring.cqeUserData(0));
                assertEquals(8, ring.cqeResult(0), "one eventfd read: its 8-byte counter");
                int flags = ring.cqeFlags(0);
                assertTrue((flags & IoUring.CQE_F_BUFFER) != 0 && (flags & IoUring.CQE_F_MORE) != 0, "flags " + flags);
                assertEquals(round, flags >>> 16, "buffers are taken in ring order");
                assertEquals(1, memory.get(ValueLayout.JAVA_LONG, 64L * round));
                ring.advance(1);
            }
            fd.signal();
            ring.submit();
            ring.advance(ring.ready()); // the fourth and last buffer
            fd.signal();
            ring.submit();
            assertEquals(1, ring.ready());
            assertEquals(-Errno.ENOBUFS, ring.cqeResult(0), "no buffer left: the read ends");
            assertEquals(0, ring.cqeFlags(0) & IoUring.CQE_F_MORE, "... and must be re-armed");
            ring.advance(1);
            ring.unregisterBufferRing(3, "test group");
        }
    }

    @Test
    void aCancelledReadEndsWithEcanceled() {
        try (EventFd fd = EventFd.create()) {
            MemorySegment buffer = arena.allocate(8, 8);
            assertTrue(ring.prepRead(fd.fd(), buffer.address(), 8, 5));
            ring.submit();
            assertEquals(0, ring.ready());
            assertTrue(ring.prepCancel(5, 6));
            ring.submit();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ring.ready() < 2 && System.nanoTime() < deadline) {
                ring.submitAndWait(10_000_000);
            }
            assertEquals(2, ring.ready());
            for (int i = 0; i < 2; i++) {
                if (ring.cqeUserData(i) == 5) {
                    assertEquals(-Errno.ECANCELED, ring.cqeResult(i));
                } else {
                    assertEquals(6, ring.cqeUserData(i));
                    assertEquals(0, ring.cqeResult(i), "the cancel found its target");
                }
            }
            ring.advance(2);
        }
    }
}
