package io.podswitch.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** epoll and eventfd need no privileges: an eventfd doorbell wakes an epoll wait. */
class EpollTest {
    @Test
    void epollEventLayoutIsPackedAsOnX8664() {
        assertEquals(12, Epoll.EVENT_SIZE);
        assertEquals(4, Epoll.EVENT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("data")));
    }

    @Test
    void doorbellWakesTheWaiterWithItsCookie() {
        try (Epoll epoll = Epoll.create(4); EventFd bell = EventFd.create(); EventFd other = EventFd.create()) {
            epoll.add(bell.fd(), Epoll.EPOLLIN, 0xC0FFEE_0000_0001L, "bell");
            epoll.add(other.fd(), Epoll.EPOLLIN, 2, "other");
            assertEquals(0, epoll.wait(0), "nothing signalled yet");
            assertEquals(0, bell.signal());
            assertEquals(0, bell.signal());
            assertEquals(1, epoll.wait(1000));
            assertEquals(0xC0FFEE_0000_0001L, epoll.cookie(0));
            assertTrue((epoll.events(0) & Epoll.EPOLLIN) != 0);
            assertEquals(2, bell.drain());
            assertEquals(0, bell.drain());
            assertEquals(0, epoll.wait(0));
            epoll.remove(other.fd(), "other");
            other.signal();
            assertEquals(0, epoll.wait(0), "a removed descriptor no longer reports");
        }
    }

    @Test
    void errorsNameTheCallAndTheObject() {
        try (Epoll epoll = Epoll.create(1)) {
            NativeException e = assertThrows(NativeException.class, () -> epoll.add(987654, Epoll.EPOLLIN, 0, "tap0 queue 0"));
            assertEquals(Errno.EBADF, e.errno());
            assertTrue(e.getMessage().startsWith("epoll_ctl(ADD) on 'tap0 queue 0': EBADF"), e.getMessage());
        }
    }
}
