"""Print how to reach the demo: URL, database, logins and passwords."""
import argparse

from . import DATABASE, credentials


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', default='http://127.0.0.1:8000/')
    parser.add_argument('--database', default=DATABASE)
    args = parser.parse_args(argv)
    rule = '=' * 64
    print(rule)
    print(' 物业管理系统 demo  (锦华物业服务有限公司)')
    print(f' URL        {args.url}')
    print(f' database   {args.database}')
    for login, password, role in credentials():
        print(f' login {login:<8} password {password:<12} {role}')
    print(' Ctrl-C stops the server; `make demo` serves the same database')
    print(' again, `make demo-reset` rebuilds it.')
    print(rule, flush=True)


if __name__ == '__main__':
    main()
