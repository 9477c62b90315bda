"""The standard reports a county sends upward, seeded as data (a county may add or change them in the admin)."""

from django.db import migrations

TEMPLATES = [
    ("TP01", "脱贫攻坚进展情况统计表", "yearly", "单位：户、人", "建档立卡户按户状态统计，当年脱贫为脱贫年度为本年的户", [
        ("建档立卡户", "户数", "registry.households", ""),
        ("建档立卡户", "人数", "registry.people", ""),
        ("其中：未脱贫", "户数", "registry.households", "1"),
        ("其中：未脱贫", "人数", "registry.people", "1"),
        ("其中：已脱贫", "户数", "registry.households", "2"),
        ("其中：已脱贫", "人数", "registry.people", "2"),
        ("当年脱贫", "户数", "registry.exit_households", ""),
        ("当年脱贫", "人数", "registry.exit_people", ""),
    ]),
    ("JC01", "防返贫监测对象情况表", "monthly", "单位：户、条", "监测对象为截至统计时点的状态", [
        ("监测帮扶中", "合计", "monitoring.monitored", ""),
        ("监测帮扶中", "脱贫不稳定户", "monitoring.monitored", "1"),
        ("监测帮扶中", "边缘易致贫户", "monitoring.monitored", "2"),
        ("监测帮扶中", "突发严重困难户", "monitoring.monitored", "3"),
        ("", "风险已消除户数", "monitoring.eliminated", ""),
        ("", "当年纳入监测户数", "monitoring.included", ""),
        ("", "当年预警条数", "monitoring.alerts", ""),
    ]),
    ("ZJ01", "扶贫资金支出进度表", "monthly", "单位：元", "支出进度=已拨付/已分配", [
        ("", "资金指标", "funds.amount", ""),
        ("", "已分配", "funds.allocated", ""),
        ("", "已拨付", "funds.disbursed", ""),
        ("", "支出进度（%）", "funds.progress", ""),
        ("其中：中央财政", "资金指标", "funds.amount", "central"),
        ("其中：中央财政", "已拨付", "funds.disbursed", "central"),
    ]),
]


def seed(apps, schema_editor):
    ReportTemplate = apps.get_model("stats", "ReportTemplate")
    ReportColumn = apps.get_model("stats", "ReportColumn")
    for order, (code, title, period, unit, note, columns) in enumerate(TEMPLATES):
        template = ReportTemplate.objects.create(code=code, title=title, period=period, unit=unit, note=note,
                                                 order=order)
        ReportColumn.objects.bulk_create([
            ReportColumn(template=template, order=i, group=group, header=header, indicator=indicator, dimension=dim)
            for i, (group, header, indicator, dim) in enumerate(columns)])


def unseed(apps, schema_editor):
    apps.get_model("stats", "ReportTemplate").objects.filter(code__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
