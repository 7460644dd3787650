package io.faultline.sidecar.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * NIO by default; native epoll on request ({@code --transport epoll} or {@code -Dfaultline.transport=epoll}).
 *
 * <p>Why not epoll by default: in Netty 4.2.18 an epoll channel whose interest set drops to none (a
 * peer that half-closed, while we neither read nor wait to write) is removed from epoll but still
 * marked as added, so the next EPOLLOUT or EPOLLIN fails with ENOENT and the connection dies with
 * bytes still to deliver. Half-closing clients are normal for a proxy, so correctness wins until a
 * Netty release with the fix resolves here (ProxyBehaviourTest pins the case).
 */
public record Transport(
        String name,
        Supplier<IoHandlerFactory> ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends Channel> socketChannel) {

    public static Transport best() {
        return named(System.getProperty("faultline.transport", "nio"));
    }

    /** {@code nio}, or {@code epoll} where the platform has it (NIO otherwise). */
    public static Transport named(String name) {
        if (name.equals("epoll") && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler::newFactory,
                    EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class);
    }

    public EventLoopGroup newGroup(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true),
                ioHandlerFactory.get());
    }
}
