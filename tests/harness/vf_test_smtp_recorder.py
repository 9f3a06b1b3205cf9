# SPDX-License-Identifier: GPL-3.0-or-later
#
# aiosmtpd handler for the tests (VfTestSmtp): saves each received mail as one
# .eml file in the directory given as the class argument, prefixed with the
# envelope as X-Envelope-From/X-Envelope-To headers. Written to a temporary
# name, then renamed, so the test never reads half a mail.
# Started as: python3 -m aiosmtpd -n -l HOST:PORT -c vf_test_smtp_recorder.Recorder DIR

import os
import time
import uuid


class Recorder:
    def __init__(self, directory):
        self.directory = directory

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Recorder takes the directory to save mails to")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        prefix = "X-Envelope-From: {}\r\nX-Envelope-To: {}\r\n".format(
            envelope.mail_from, ", ".join(envelope.rcpt_tos)
        ).encode("utf-8")
        name = "{:020d}-{}".format(time.time_ns(), uuid.uuid4().hex[:8])
        temporary = os.path.join(self.directory, "." + name + ".tmp")
        with open(temporary, "wb") as f:
            f.write(prefix + content)
        os.rename(temporary, os.path.join(self.directory, name + ".eml"))
        return "250 Message accepted for delivery"
