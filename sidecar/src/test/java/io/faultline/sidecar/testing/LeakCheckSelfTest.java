package io.faultline.sidecar.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The leak check must itself be able to fail: a deliberately leaked buffer is reported. */
class LeakCheckSelfTest {
    @Test
    void reportsADeliberatelyLeakedBuffer() {
        leakOne();
        LeakCheckExtension check = new LeakCheckExtension();
        assertThatThrownBy(() -> check.afterEach((ExtensionContext) null))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("leak");
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
        // no release: the GC collects it unreleased
    }
}
