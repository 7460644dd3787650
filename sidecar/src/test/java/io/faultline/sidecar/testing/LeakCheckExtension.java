package io.faultline.sidecar.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test (ServiceLoader + autodetection): runs Netty's leak detector at paranoid
 * level and fails the test after which a leaked buffer is reported. Netty reports a leak when a
 * later buffer is tracked after the GC collected the leaked one, so each test ends with a few GC
 * rounds and fresh allocations.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterEachCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final Logger NETTY_LEAK_LOGGER = Logger.getLogger(ResourceLeakDetector.class.getName());

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        NETTY_LEAK_LOGGER.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String msg = record.getMessage();
                if (msg != null && msg.contains("LEAK")) {
                    LEAKS.add(msg);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LEAKS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = 0; i < 4 && LEAKS.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
            touchAllocators();
        }
        if (!LEAKS.isEmpty()) {
            String first = LEAKS.get(0);
            int count = LEAKS.size();
            LEAKS.clear();
            throw new AssertionError(count + " Netty buffer leak(s) detected (paranoid leak detection):\n" + first);
        }
    }

    private static void touchAllocators() {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(8);
        a.release();
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(8);
        b.release();
        ByteBuf c = PooledByteBufAllocator.DEFAULT.directBuffer(8);
        c.release();
    }
}
