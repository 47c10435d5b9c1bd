package io.podswitch.daemon.http;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * First in every connection's pipeline, on the event loop: bounds how long a connection may take to
 * deliver a request (from its first byte until it is complete: else 408 and close — a slow client
 * holds nothing for longer) and how long it may sit idle between requests (then it is closed quietly).
 * While a request is with its endpoint no clock runs: the endpoint's own timeouts apply.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private final ListenerSettings settings;
    private final ErrorBodies errors;
    private ScheduledFuture<?> timer;
    private boolean receiving;
    private boolean withEndpoint;

    ConnectionGuard(ListenerSettings settings, ErrorBodies errors) {
        this.settings = settings;
        this.errors = errors;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        idle(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!receiving && !withEndpoint) {
            receiving = true;
            cancel();
            timer = ctx.executor().schedule(() -> requestTooSlow(ctx), settings.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        }
        super.channelRead(ctx, msg);
    }

    /** The request is complete and goes to its endpoint: no deadline while it works. */
    void requestComplete() {
        receiving = false;
        withEndpoint = true;
        cancel();
    }

    /** The response went out on a connection that stays open: wait for the next request. */
    void responseSent(ChannelHandlerContext ctx) {
        withEndpoint = false;
        idle(ctx);
    }

    private void idle(ChannelHandlerContext ctx) {
        cancel();
        timer = ctx.executor().schedule(() -> {
            if (!receiving && !withEndpoint) {
                ctx.close();
            }
        }, settings.idleTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    private void requestTooSlow(ChannelHandlerContext ctx) {
        if (receiving && ctx.channel().isActive()) {
            receiving = false;
            // From the channel's tail: the guard sits before the HTTP encoder, its own ctx would bypass it.
            ctx.channel().writeAndFlush(NettyResponses.toNetty(errors.error(408, "the request did not arrive complete within "
                    + settings.requestTimeoutMs() + " ms"), false, false)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }
}
