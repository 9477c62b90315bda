from django.core.management.base import CommandError

from fupin.procedures.models import Procedure

from ._common import ProcedureCommand


class Command(ProcedureCommand):
    help = "显示一个程序的环节、办理记录和附件。例：fupin procedures show 12 --user xian"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("id", type=int)

    def act(self, user, options):
        procedure = Procedure.objects.visible_to(user).select_related("household", "village").filter(
            pk=options["id"]).first()
        if procedure is None:
            raise CommandError("程序不存在或不在该账号的管辖范围内")
        out = self.stdout.write
        out(f"{procedure}（{procedure.get_status_display()}）{procedure.year}年度")
        out(f"户：{procedure.household.number} {procedure.household.head_name}  {procedure.village.full_name()}")
        if procedure.figures.get("line"):
            line = procedure.figures["line"]
            income = procedure.figures.get("per_capita_income", "—")
            out(f"发起时依据：{line['source']} {line['amount']}元；人均纯收入 {income}")
        out("环节：")
        for step in procedure.steps.all():
            mark = "→" if step.order == procedure.current_order else " "
            due = f" 期限{step.due}" if step.due else ""
            out(f" {mark}{step.order}. {step.name}（{step.get_actor_level_display()}）{step.get_status_display()}{due}"
                + ("（逾期）" if step.is_overdue else ""))
            for attachment in step.attachments.select_related("kind"):
                out(f"      附件：{attachment.kind.name} {attachment.original_name}")
        out("办理记录：")
        for action in procedure.actions.select_related("step"):
            step = action.step.name if action.step else ""
            decision = action.get_decision_display()
            out(f"  {action.time:%Y-%m-%d %H:%M} {action.username} {step} {decision} {action.comment}")
