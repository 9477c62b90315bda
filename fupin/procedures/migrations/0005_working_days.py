# Step deadlines in working days, the holiday calendar, 公告 steps and 逾期上报.
# Steps that exist already (configured and running) keep counting calendar days, as they were set up: working_days
# is added False for them, and only then does the default become True for steps configured from now on.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('procedures', '0004_monitoring_lines'),
        ('regions', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='procedurestep',
            name='escalated',
            field=models.DateTimeField(blank=True, null=True, verbose_name='逾期上报时间'),
        ),
        migrations.AddField(
            model_name='procedurestep',
            name='notice_kind',
            field=models.CharField(choices=[('publicity', '公示'), ('announcement', '公告')], default='publicity', help_text='公示环节发布公示还是公告（如县级公告）', max_length=16, verbose_name='公示类别'),
        ),
        migrations.AddField(
            model_name='procedurestep',
            name='working_days',
            field=models.BooleanField(default=False, help_text='时限按工作日计算，跳过周末和节假日、计入调休上班日；不勾选按自然日', verbose_name='按工作日计'),
        ),
        migrations.AddField(
            model_name='stepdefinition',
            name='notice_kind',
            field=models.CharField(choices=[('publicity', '公示'), ('announcement', '公告')], default='publicity', help_text='公示环节发布公示还是公告（如县级公告）', max_length=16, verbose_name='公示类别'),
        ),
        migrations.AddField(
            model_name='stepdefinition',
            name='working_days',
            field=models.BooleanField(default=False, help_text='时限按工作日计算，跳过周末和节假日、计入调休上班日；不勾选按自然日', verbose_name='按工作日计'),
        ),
        migrations.AlterField(
            model_name='procedureaction',
            name='decision',
            field=models.CharField(choices=[('start', '发起'), ('pass', '通过'), ('return', '退回'), ('reject', '不予通过'), ('withdraw', '撤回'), ('escalate', '逾期上报')], max_length=10, verbose_name='办理结果'),
        ),
        migrations.AlterField(
            model_name='procedurestep',
            name='deadline_days',
            field=models.PositiveSmallIntegerField(default=7, verbose_name='办理时限'),
        ),
        migrations.AlterField(
            model_name='stepdefinition',
            name='deadline_days',
            field=models.PositiveSmallIntegerField(default=7, verbose_name='办理时限'),
        ),
        migrations.AlterField(
            model_name='procedurestep',
            name='working_days',
            field=models.BooleanField(default=True, help_text='时限按工作日计算，跳过周末和节假日、计入调休上班日；不勾选按自然日', verbose_name='按工作日计'),
        ),
        migrations.AlterField(
            model_name='stepdefinition',
            name='working_days',
            field=models.BooleanField(default=True, help_text='时限按工作日计算，跳过周末和节假日、计入调休上班日；不勾选按自然日', verbose_name='按工作日计'),
        ),
        migrations.CreateModel(
            name='CalendarDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='日期')),
                ('kind', models.CharField(choices=[('holiday', '放假'), ('workday', '调休上班')], max_length=10, verbose_name='类别')),
                ('name', models.CharField(help_text='如：春节、国庆节', max_length=50, verbose_name='名称')),
                ('document', models.CharField(blank=True, max_length=200, verbose_name='文件依据')),
                ('updated', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('region', models.ForeignKey(blank=True, help_text='留空为全国安排；填省、市或县区划代码为地方安排', null=True, on_delete=django.db.models.deletion.PROTECT, to='regions.region', verbose_name='适用区划')),
            ],
            options={
                'verbose_name': '节假日安排',
                'verbose_name_plural': '节假日安排',
                'ordering': ['date', 'region'],
                'constraints': [models.UniqueConstraint(fields=('date', 'region'), name='calendar_day_unique_region'), models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('date',), name='calendar_day_unique_national')],
            },
        ),
    ]
