from django.db.models import Count, F, Sum

from fupin.credit.choices import OPEN_STATUSES
from fupin.credit.models import Loan
from fupin.credit.services import overdue

from . import CATALOGUE, Family, Indicator

APP, GROUP = "credit", "小额信贷"

CATALOGUE.add(
    Indicator("credit.loans", "在贷笔数", "笔", GROUP, APP, "放贷银行"),
    Indicator("credit.outstanding", "贷款余额", "元", GROUP, APP, "放贷银行"),
    Indicator("credit.overdue", "逾期笔数", "笔", GROUP, APP, "放贷银行"),
    Indicator("credit.overdue_outstanding", "逾期贷款余额", "元", GROUP, APP, "放贷银行"),
)
CATALOGUE.family(Family(lambda year: Loan.objects.filter(status__in=OPEN_STATUSES), F("village_id"), F("bank"),
                        {"credit.loans": Count("id"), "credit.outstanding": Sum("outstanding")}))
CATALOGUE.family(Family(lambda year: overdue(Loan.objects.all()), F("village_id"), F("bank"),
                        {"credit.overdue": Count("id"), "credit.overdue_outstanding": Sum("outstanding")}))
