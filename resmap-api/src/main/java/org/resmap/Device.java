package org.resmap;

import org.resmap.internal.Codec;
import org.resmap.internal.Protocol;
import org.resmap.internal.Transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * One open device handle: the transport, the request and reply buffers every request reuses, one
 * method per IOCTL, and the registry of open objects that {@link #close()} tears down in a safe order.
 * Every method runs under one lock, because the buffers are shared; a failure is rethrown with a
 * message that names the operation. On the map and unmap path, which loops repeat, that message is
 * built only when the request fails, so a successful cycle allocates nothing.
 */
final class Device {

    private final Transport transport;
    private final Object lock = new Object();
    private final ByteBuffer in;
    private final ByteBuffer out;
    private final int pageSize;
    private final int maxTransfer;
    // Identity sets: objects are tracked by identity, and an open-addressing map allocates nothing per
    // add or remove, so a map + unmap loop leaves no garbage.
    private final Set<Mapping> mappings = identitySet();
    private final Set<PageSet> pageSets = identitySet();
    private final Set<Reservation> reservations = identitySet();
    private final Set<UserBuffer> userBuffers = identitySet();
    private boolean closed;

    /**
     * Takes ownership of the transport and checks that the device speaks this protocol version.
     *
     * @throws IllegalStateException (closing the transport) if the versions differ
     */
    Device(Transport transport) {
        this.transport = transport;
        in = ByteBuffer.allocateDirect(Protocol.TransferIn.SIZE + Protocol.MAX_TRANSFER).order(ByteOrder.LITTLE_ENDIAN);
        out = ByteBuffer.allocateDirect(Math.max(Protocol.MAX_TRANSFER, Protocol.Info.SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        DeviceInfo info;
        try {
            info = info();
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
        if (info.protocolVersion() != Protocol.PROTOCOL_VERSION) {
            transport.close();
            throw new IllegalStateException("the " + transport.backend() + " device speaks protocol version "
                    + info.protocolVersion() + ", this library version " + Protocol.PROTOCOL_VERSION
                    + "; use a driver and library from the same build");
        }
        pageSize = info.pageSize();
        maxTransfer = Math.min(info.maxTransfer(), Protocol.MAX_TRANSFER);
    }

    Backend backend() {
        return transport.backend();
    }

    int pageSize() {
        return pageSize;
    }

    DeviceInfo info() {
        synchronized (lock) {
            ensureOpen();
            int n = call(Protocol.IOCTL_GET_INFO, 0, Protocol.Info.SIZE, "get device information", "");
            expectReply(Protocol.IOCTL_GET_INFO, n, Protocol.Info.SIZE);
            return Codec.info(out);
        }
    }

    Reservation reserve(long bytes, PoolTag tag, boolean divisible) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.reserve(in, bytes, tag.value(), divisible ? Protocol.RESERVE_DIVISIBLE : 0);
            Codec.ObjectReply reply = create(Protocol.IOCTL_RESERVE, length,
                    divisible ? "reserve divisible" : "reserve", bytes + " bytes with tag '" + tag + "'");
            Reservation reservation = new Reservation(this, reply.handle(), reply.bytes(), reply.pages(), tag, divisible);
            reservations.add(reservation);
            return reservation;
        }
    }

    PageSet allocatePages(long bytes, CachingType caching, boolean preferContiguous) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.allocate(in, bytes, caching.value(),
                    preferContiguous ? Protocol.ALLOCATE_PREFER_CONTIGUOUS : 0);
            Codec.ObjectReply reply = create(Protocol.IOCTL_ALLOCATE_PAGES, length, "allocate pages of",
                    bytes + " bytes, " + caching);
            PageSet set = new PageSet(this, reply.handle(), reply.bytes(), reply.pages(), reply.offset(), caching, null);
            pageSets.add(set);
            return set;
        }
    }

    UserBuffer allocateUserBuffer(long bytes) {
        synchronized (lock) {
            ensureOpen();
            UserBuffer buffer = new UserBuffer(this, transport.allocateUserMemory(bytes));
            userBuffers.add(buffer);
            return buffer;
        }
    }

    PageSet lock(UserBuffer buffer, long offset, long bytes, boolean writable) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.lock(in, buffer.address() + offset, bytes,
                    writable ? Protocol.ACCESS_READ_WRITE : Protocol.ACCESS_READ);
            Codec.ObjectReply reply = create(Protocol.IOCTL_LOCK_USER_BUFFER, length, "lock",
                    bytes + " bytes at offset " + offset + " of " + buffer);
            PageSet set = new PageSet(this, reply.handle(), reply.bytes(), reply.pages(), reply.offset(),
                    CachingType.CACHED, buffer);
            pageSets.add(set);
            buffer.locked(1);
            return set;
        }
    }

    Mapping mapReserved(Reservation reservation, PageSlice slice, long reservationOffset) {
        synchronized (lock) {
            ensureOpen();
            sendMap(slice, reservation, reservationOffset);
            Codec.ObjectReply reply = Codec.objectReply(out);
            Mapping mapping = new Mapping(this, reply.handle(), reply.bytes(), reply.offset(), reservation, slice,
                    reservationOffset);
            mappings.add(mapping);
            return mapping;
        }
    }

    Mapping mapOrdinary(PageSlice slice) {
        synchronized (lock) {
            ensureOpen();
            sendMap(slice, null, 0);
            Codec.ObjectReply reply = Codec.objectReply(out);
            Mapping mapping = new Mapping(this, reply.handle(), reply.bytes(), 0, null, slice, 0);
            mappings.add(mapping);
            return mapping;
        }
    }

    /** Maps an unmapped mapping's slice at its place again; the object takes the new handle. */
    void remap(Mapping mapping) {
        synchronized (lock) {
            ensureOpen();
            if (mappings.contains(mapping)) {
                throw new IllegalStateException(mapping + " is still mapped; unmap it before mapping it again");
            }
            sendMap(mapping.slice(), mapping.reservationOrNull(), mapping.reservationOffset());
            // Only the handle changes: same slice, same place. Read without building a reply record.
            mapping.mapped(Codec.objectHandle(out));
            mappings.add(mapping);
        }
    }

    /**
     * Sends MAP_RESERVED (or MAP_ORDINARY when reservation is null); the reply is left in {@code out}.
     * The failure message is built only on the failure path: this is the hot path of a map + unmap loop.
     */
    private void sendMap(PageSlice slice, Reservation reservation, long reservationOffset) {
        PageSet set = slice.pageSet();
        int code;
        int length;
        if (reservation != null) {
            code = Protocol.IOCTL_MAP_RESERVED;
            length = Codec.map(in, set.handle(), slice.offset(), slice.length(), reservation.handle(),
                    reservationOffset, reservation.tag().value(), set.caching().value());
        } else {
            code = Protocol.IOCTL_MAP_ORDINARY;
            length = Codec.map(in, set.handle(), slice.offset(), slice.length(), 0, 0, 0, set.caching().value());
        }
        int n;
        try {
            n = transport.ioctl(code, in, length, out, Protocol.ObjectOut.SIZE);
        } catch (ResMapException e) {
            throw failed(e, reservation != null
                    ? "map " + slice + " into " + reservation + " at offset " + reservationOffset
                    : "map (ordinary) " + slice);
        }
        expectReply(code, n, Protocol.ObjectOut.SIZE);
    }

    void unmapReserved(Mapping mapping, PoolTag tag) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.tagged(in, mapping.handle(), tag.value());
            try {
                transport.ioctl(Protocol.IOCTL_UNMAP_RESERVED, in, length, null, 0);
            } catch (ResMapException e) {
                throw failed(e, "unmap " + mapping + " with tag '" + tag + "'");
            }
            mappings.remove(mapping);
            mapping.unmapped();
        }
    }

    void unmapOrdinary(Mapping mapping) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.handle(in, mapping.handle());
            try {
                transport.ioctl(Protocol.IOCTL_UNMAP_ORDINARY, in, length, null, 0);
            } catch (ResMapException e) {
                throw failed(e, "unmap " + mapping);
            }
            mappings.remove(mapping);
            mapping.unmapped();
        }
    }

    void releasePages(PageSet set) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.handle(in, set.handle());
            call(Protocol.IOCTL_RELEASE_PAGES, length, 0, "release", set);
            pageSets.remove(set);
            if (set.buffer() != null) {
                set.buffer().locked(-1);
            }
        }
    }

    void freeReservation(Reservation reservation, PoolTag tag) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.tagged(in, reservation.handle(), tag.value());
            call(Protocol.IOCTL_FREE_RESERVATION, length, 0, "free with tag '" + tag + "'", reservation);
            reservations.remove(reservation);
        }
    }

    void freeUserBuffer(UserBuffer buffer) {
        synchronized (lock) {
            ensureOpen();
            if (!transport.freeUserMemory(buffer.memory())) {
                throw new IllegalStateException("the " + backend() + " back end refused to free " + buffer
                        + "; it is still locked");
            }
            userBuffers.remove(buffer);
        }
    }

    ObjectInfo query(Object object, long handle) {
        synchronized (lock) {
            ensureOpen();
            int length = Codec.handle(in, handle);
            int n = call(Protocol.IOCTL_QUERY, length, Protocol.QueryOut.SIZE, "query", object);
            expectReply(Protocol.IOCTL_QUERY, n, Protocol.QueryOut.SIZE);
            return Codec.objectInfo(out);
        }
    }

    /**
     * Runs the in-driver bench of a slice: both paths with a reservation, the ordinary one alone
     * without. The reply holds ticks and counts only; nothing is left mapped, so no object changes.
     */
    BenchResult bench(PageSlice slice, Reservation reservation, long reservationOffset, int iterations,
                      int budgetMicroseconds) {
        synchronized (lock) {
            ensureOpen();
            PageSet set = slice.pageSet();
            int length = reservation != null
                    ? Codec.bench(in, set.handle(), slice.offset(), slice.length(), reservation.handle(),
                            reservationOffset, reservation.tag().value(), set.caching().value(), iterations,
                            Protocol.BENCH_RESERVED | Protocol.BENCH_ORDINARY, budgetMicroseconds)
                    : Codec.bench(in, set.handle(), slice.offset(), slice.length(), 0, 0, 0, set.caching().value(),
                            iterations, Protocol.BENCH_ORDINARY, budgetMicroseconds);
            int n = call(Protocol.IOCTL_BENCH, length, Protocol.BenchOut.SIZE, "bench " + iterations + " cycles of",
                    reservation != null ? slice + " in " + reservation + " and ordinarily" : slice + " ordinarily");
            expectReply(Protocol.IOCTL_BENCH, n, Protocol.BenchOut.SIZE);
            return Codec.benchResult(out);
        }
    }

    /** Reads {@code len} bytes at {@code offset} of a mapping, in transfers of at most maxTransfer bytes. */
    void read(Mapping mapping, long offset, byte[] dst, int dstOff, int len) {
        synchronized (lock) {
            ensureOpen();
            for (int done = 0; done < len; ) {
                int chunk = Math.min(len - done, maxTransfer);
                readChunk(mapping, offset + done, chunk);
                out.get(0, dst, dstOff + done, chunk);
                done += chunk;
            }
        }
    }

    void read(Mapping mapping, long offset, ByteBuffer dst) {
        synchronized (lock) {
            ensureOpen();
            int len = dst.remaining();
            for (int done = 0; done < len; ) {
                int chunk = Math.min(len - done, maxTransfer);
                readChunk(mapping, offset + done, chunk);
                dst.put(dst.position(), out, 0, chunk);
                dst.position(dst.position() + chunk);
                done += chunk;
            }
        }
    }

    void write(Mapping mapping, long offset, byte[] src, int srcOff, int len) {
        synchronized (lock) {
            ensureOpen();
            for (int done = 0; done < len; ) {
                int chunk = Math.min(len - done, maxTransfer);
                int header = Codec.transfer(in, mapping.handle(), offset + done, chunk);
                in.put(header, src, srcOff + done, chunk);
                writeChunk(mapping, offset + done, header + chunk);
                done += chunk;
            }
        }
    }

    void write(Mapping mapping, long offset, ByteBuffer src) {
        synchronized (lock) {
            ensureOpen();
            int len = src.remaining();
            for (int done = 0; done < len; ) {
                int chunk = Math.min(len - done, maxTransfer);
                int header = Codec.transfer(in, mapping.handle(), offset + done, chunk);
                in.put(header, src, src.position(), chunk);
                writeChunk(mapping, offset + done, header + chunk);
                src.position(src.position() + chunk);
                done += chunk;
            }
        }
    }

    private void readChunk(Mapping mapping, long offset, int chunk) {
        int header = Codec.transfer(in, mapping.handle(), offset, chunk);
        int n;
        try {
            n = transport.ioctl(Protocol.IOCTL_READ, in, header, out, chunk);
        } catch (ResMapException e) {
            throw failed(e, "read " + chunk + " bytes at offset " + offset + " of " + mapping);
        }
        expectReply(Protocol.IOCTL_READ, n, chunk);
    }

    private void writeChunk(Mapping mapping, long offset, int inLength) {
        try {
            transport.ioctl(Protocol.IOCTL_WRITE, in, inLength, out, 0);
        } catch (ResMapException e) {
            throw failed(e, "write " + (inLength - Protocol.TransferIn.SIZE) + " bytes at offset " + offset
                    + " of " + mapping);
        }
    }

    boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** @return the objects still open, in the order {@link #close()} would close them; empty once closed */
    List<AutoCloseable> openObjects() {
        synchronized (lock) {
            List<AutoCloseable> open = new ArrayList<>(mappings);
            open.addAll(pageSets);
            open.addAll(reservations);
            open.addAll(userBuffers);
            return List.copyOf(open);
        }
    }

    /**
     * Closes every object still open (mappings, then page sets, then reservations), then the handle,
     * then frees user buffers. A refusal while closing an object (a dead simulated machine refuses
     * everything) does not stop the rest: closing the handle makes the driver release whatever is left.
     */
    void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (Mapping mapping : inHandleOrder(mappings, Mapping::handle)) {
                closeQuietly(mapping);
            }
            for (PageSet set : inHandleOrder(pageSets, PageSet::handle)) {
                closeQuietly(set);
            }
            for (Reservation reservation : inHandleOrder(reservations, Reservation::handle)) {
                closeQuietly(reservation);
            }
            closed = true;
            transport.close();
            mappings.clear();
            pageSets.clear();
            reservations.clear();
            userBuffers.clear();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the resmap device has been closed");
        }
    }

    /**
     * Checks this device and one of its objects are both open.
     *
     * @param object the object, named in the message if it is the one closed
     * @param objectClosed whether the object has been closed
     * @throws IllegalStateException if the device or the object has been closed
     */
    void ensureOpen(Object object, boolean objectClosed) {
        ensureOpen();
        if (objectClosed) {
            throw new IllegalStateException(object + " has been closed");
        }
    }

    /** Checks an object belongs to this device (objects of another ResMap have meaningless handles). */
    void ensureOwns(Object what, Device owner) {
        if (owner != this) {
            throw new IllegalArgumentException(what + " belongs to another ResMap");
        }
    }

    private static <T> Set<T> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /**
     * What is left, in handle order: an identity set's order differs from run to run, and close() must
     * send the same requests in the same order every time (a recorded run and its replay compare them).
     */
    private static <T> List<T> inHandleOrder(Set<T> objects, ToLongFunction<T> handle) {
        List<T> sorted = new ArrayList<>(objects);
        sorted.sort((a, b) -> Long.compareUnsigned(handle.applyAsLong(a), handle.applyAsLong(b)));
        return sorted;
    }

    private static void closeQuietly(AutoCloseable object) {
        try {
            object.close();
        } catch (Exception ignored) {
            // Closing the handle below releases it in the driver.
        }
    }

    private Codec.ObjectReply create(int code, int inLength, String action, String subject) {
        int n = call(code, inLength, Protocol.ObjectOut.SIZE, action, subject);
        expectReply(code, n, Protocol.ObjectOut.SIZE);
        return Codec.objectReply(out);
    }

    private int call(int code, int inLength, int outLength, String action, Object subject) {
        try {
            return transport.ioctl(code, in, inLength, out, outLength);
        } catch (ResMapException e) {
            throw failed(e, (action + " " + subject).trim());
        }
    }

    private static ResMapException failed(ResMapException e, String whatFailed) {
        return new ResMapException(whatFailed, e.ntstatus(), e);
    }

    private static void expectReply(int code, int returned, int expected) {
        if (returned != expected) {
            throw new IllegalStateException(Codec.ioctlName(code) + " returned " + returned + " bytes, not "
                    + expected + "; the driver and this library disagree on the protocol");
        }
    }
}
