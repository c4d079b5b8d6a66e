"""Chat fan-out benchmark: Hearth's room hub against stock Channels and bare websockets.

Run with ``python -m bench.chat_fanout`` (``make bench-chat``); see README.md here.
"""
