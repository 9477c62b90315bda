"""Account list columns: users and the login log."""

from fupin.core.tables import BOOL, DATETIME, Column, Table

from .models import LoginLog, Role, User

users = Table(
    "用户",
    User,
    [
        Column("用户名", "username", width=16),
        Column("姓名", "full_name"),
        Column("角色", "role", choices=dict(Role.choices), width=14),
        Column("所属区划代码", "region_id", width=15),
        Column("所属区划", "region__name", width=16),
        Column("所属部门", "department", width=16),
        Column("联系电话", "phone", width=14),
        Column("启用", "is_active", BOOL),
        Column("动态口令启用时间", "totp_enabled_at", DATETIME),
        Column("最近登录", "last_login", DATETIME),
        Column("创建时间", "date_joined", DATETIME),
        Column("密码修改时间", "password_changed_at", DATETIME),
    ],
    order_by=("username",),
)

login_logs = Table(
    "登录日志",
    LoginLog,
    [
        Column("时间", "time", DATETIME),
        Column("用户名", "username", width=16),
        Column("成功", "success", BOOL),
        Column("说明", "reason", width=24),
        Column("IP 地址", "ip", width=16),
        Column("客户端", "user_agent", width=40),
        Column("区划代码", "region_code", width=15),
    ],
    order_by=("-time", "-id"),
)
