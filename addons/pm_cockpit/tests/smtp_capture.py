# This file is part of the pm suite (物业管理系统). See README.md.
"""A local SMTP server for the tests: it keeps the messages it receives
(loopback only, a free port chosen at run time)."""
import email
import email.policy
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):

    def reply(self, line):
        self.wfile.write(line.encode('ascii') + b'\r\n')
        self.wfile.flush()

    def handle(self):
        sender, recipients = None, []
        self.reply('220 localhost capture SMTP')
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode('ascii', 'replace').strip()
            verb = command[:4].upper()
            if verb in {'EHLO', 'HELO'}:
                self.reply('250 localhost')
            elif verb == 'MAIL':
                sender, recipients = command.split(':', 1)[1].strip(), []
                self.reply('250 OK')
            elif verb == 'RCPT':
                recipients.append(
                    command.split(':', 1)[1].strip().strip('<>'))
                self.reply('250 OK')
            elif verb == 'DATA':
                self.reply('354 End data with <CR><LF>.<CR><LF>')
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in {b'.\r\n', b'.\n', b''}:
                        break
                    if data.startswith(b'..'):
                        data = data[1:]
                    lines.append(data)
                message = email.message_from_bytes(
                    b''.join(lines), policy=email.policy.default)
                self.server.messages.append((sender, recipients, message))
                self.reply('250 OK queued')
            elif verb == 'QUIT':
                self.reply('221 Bye')
                return
            else:
                self.reply('250 OK')


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPCapture:
    "Start with `with SMTPCapture() as smtp:`; smtp.uri, smtp.messages"

    def __init__(self):
        self.server = _Server(('127.0.0.1', 0), _Handler)
        self.server.messages = []
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)

    @property
    def uri(self):
        return 'smtp://127.0.0.1:%s' % self.server.server_address[1]

    @property
    def messages(self):
        return self.server.messages

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
