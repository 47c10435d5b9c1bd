package io.podswitch.daemon.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Netty's aggregator with the listener's body limit; an oversized request (by its Content-Length, before
 * the body is read, or by chunks as they come) is answered 413 in the listener's error shape and the
 * connection closed.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final ErrorBodies errors;
    private final int maxBody;

    BoundedAggregator(int maxBody, ErrorBodies errors) {
        super(maxBody);
        this.maxBody = maxBody;
        this.errors = errors;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(NettyResponses.toNetty(errors.error(413, "body larger than " + maxBody + " bytes"), false, false))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
